#pragma once
// The report of a stress run: its JSON (requests, proofs, marks, repairs,
// bytes, each provider's figures and earnings, the faults as injected, the
// invariants and their violations) and the summary printed for people.
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "agent/devnet/miss_watch.h"
#include "agent/devnet/rpc_fault_proxy.h"
#include "agent/devnet/stress_invariants.h"
#include "agent/devnet/stress_options.h"
#include "agent/devnet/stress_schedule.h"
#include "agent/devnet/stress_watch.h"

namespace codex::devnet {

// What happened to one planned request.
struct PostedRequest {
  std::string id;              // hex, no 0x
  std::string cid;             // the request's content (the verifiable manifest)
  std::filesystem::path file;  // what was uploaded
  uint64_t slot_size = 0;
  std::string error;     // the client refused it
  double at = 0;         // seconds after the start, as posted
  bool skipped = false;  // held back by --max-pending until --duration was over
  bool unsent = false;   // the client's purchase errored before it reached the chain
};

// What happened to one planned fault.
struct AppliedFault {
  double at = 0;         // seconds after the start, as injected
  std::string provider;  // the victim (the planned one, or one hosting a slot)
  std::string outcome;
};

// One invariant and what broke it (empty: it held).
struct StressCheck {
  std::string name;
  std::vector<std::string> violations;
};

struct StressOutcome {
  const StressOptions& options;
  const StressSchedule& schedule;
  const StressWatch& watch;
  const std::vector<PostedRequest>& posted;  // by the plan's index
  const std::vector<AppliedFault>& applied;  // by the plan's index
  std::vector<StressCheck> checks;
  JournalFigures journals;
  double proofs_required = 0;       // the providers' own count
  MissFigures misses;               // as the contract judged them in each window
  RpcFaultCounts rpc;               // the nodes' JSON-RPC requests and the faults
  uint64_t host_slots_checked = 0;  // slots rebuilt from their hosts' stores
  double wall_seconds = 0;
  uint64_t bytes_uploaded = 0, bytes_downloaded = 0;
  size_t downloads = 0;
  std::filesystem::path dir;
  // Slots of finished or cancelled requests their (living) hosts had not
  // collected when the run ended: collateral left in the marketplace.
  size_t unpaid_slots = 0;
};

struct StressReport {
  nlohmann::json json;
  std::string summary;  // the table and the invariants, for people
  bool ok = false;      // no violation
};

StressReport make_stress_report(const StressOutcome& o);

}  // namespace codex::devnet
