#include "agent/devnet/stress_options.h"

#include <stdexcept>

namespace codex::devnet {

namespace {
void require(bool ok, const std::string& what) {
  if (!ok) throw std::invalid_argument(what);
}
}  // namespace

void StressOptions::validate() const {
  require(providers >= 3 && providers <= 64, "--providers: 3 to 64 (a request needs 3 hosts)");
  require(validators <= 8, "--validators: 0 to 8");
  require(clients >= 1 && clients <= 8, "--clients: 1 to 8");
  require(requests >= 1 && requests <= 10000, "--requests: 1 to 10000");
  require(duration >= 30 && duration <= 7 * 86400, "--duration: 30 s to 7 days");
  const uint64_t faulty = uint64_t(kill_forever) + bad_proofs + full_disks;
  // Providers lost for good or proving nothing must leave at least 3 healthy
  // hosts (a request's largest slot count is 5, its smallest 3).
  require(faulty + 3 <= providers, "--kill-forever + --bad-proofs + --full-disks (" +
                                       std::to_string(faulty) +
                                       ") must leave at least 3 healthy providers of --providers " +
                                       std::to_string(providers));
  require(kill_restart <= 1000, "--kill-restart: at most 1000");
  require(rpc_faults <= 1000, "--rpc-faults: at most 1000");
  require(rpc_fault_rate >= 0 && rpc_fault_rate <= 1, "--rpc-fault-rate: 0 to 1");
  require(faulty == 0 || validators >= 1,
          "--kill-forever and --bad-proofs need a validator to mark the missing proofs "
          "(--validators)");
  require(min_file_size >= 1 && min_file_size <= max_file_size, "file sizes: min <= max");
  require(min_request_duration >= 30 && min_request_duration <= max_request_duration,
          "request durations: 30 s <= min <= max");
  require(min_proof_probability >= 1 && min_proof_probability <= max_proof_probability,
          "proof probabilities: 1 <= min <= max");
  require(slots_per_provider >= 1, "slots per provider: at least 1");
}

}  // namespace codex::devnet
