#include "agent/devnet/stress_schedule.h"

#include <algorithm>
#include <numeric>

#include "base/seeded_random.h"

namespace codex::devnet {

const char* to_string(StressFault f) {
  switch (f) {
    case StressFault::kKillRestart:
      return "kill-restart";
    case StressFault::kKillForever:
      return "kill-forever";
    case StressFault::kBadProofs:
      return "bad-proofs";
    case StressFault::kRpcFaults:
      return "rpc-faults";
    case StressFault::kFullDisk:
      return "full-disk";
  }
  return "?";
}

std::vector<uint32_t> StressSchedule::bad_provers() const {
  std::vector<uint32_t> out;
  for (const PlannedFault& f : faults)
    if (f.kind == StressFault::kBadProofs) out.push_back(f.provider);
  return out;
}

std::vector<uint32_t> StressSchedule::small_disks() const {
  std::vector<uint32_t> out;
  for (const PlannedFault& f : faults)
    if (f.kind == StressFault::kFullDisk) out.push_back(f.provider);
  return out;
}

nlohmann::json StressSchedule::to_json() const {
  nlohmann::json r = nlohmann::json::array(), f = nlohmann::json::array();
  for (const PlannedRequest& q : requests)
    r.push_back({{"index", q.index},
                 {"at", q.at},
                 {"client", q.client},
                 {"fileSize", q.file_size},
                 {"nodes", q.nodes},
                 {"tolerance", q.tolerance},
                 {"duration", q.duration},
                 {"expiry", q.expiry},
                 {"proofProbability", q.proof_probability}});
  for (const PlannedFault& x : faults)
    f.push_back({{"kind", to_string(x.kind)},
                 {"at", x.at},
                 {"provider", x.provider ? "provider" + std::to_string(x.provider) : "all"},
                 {"down", x.down}});
  return {{"requests", r}, {"faults", f}};
}

StressSchedule draw_schedule(const StressOptions& o) {
  base::SeededRandom rng(o.seed);
  StressSchedule s;
  // Requests are posted over the first two thirds, so that most of them run
  // while faults are still being injected.
  const double post_window = double(o.duration) * 2 / 3;
  for (uint32_t i = 0; i < o.requests; ++i) {
    PlannedRequest q;
    q.at = rng.uniform() * post_window;
    q.client = uint32_t(rng.below(o.clients));
    q.file_size = rng.between(o.min_file_size, o.max_file_size);
    q.nodes = rng.between(3, std::min<uint64_t>(5, o.providers));
    // The node takes K = nodes - tolerance data slots with 1 < K >= tolerance.
    q.tolerance = rng.between(1, std::min<uint64_t>(2, q.nodes / 2));
    q.duration = rng.between(o.min_request_duration, o.max_request_duration);
    // The contract wants expiry < duration; the slots of a busy machine take
    // a while to fill (fetch, slot tree, an initial proof each).
    q.expiry = std::min<uint64_t>(q.duration - 10, 100);
    q.proof_probability = rng.between(o.min_proof_probability, o.max_proof_probability);
    s.requests.push_back(q);
  }
  std::sort(s.requests.begin(), s.requests.end(),
            [](const PlannedRequest& a, const PlannedRequest& b) { return a.at < b.at; });
  for (uint32_t i = 0; i < s.requests.size(); ++i)
    s.requests[i].index = i;

  // Victims: distinct providers for the lasting faults, drawn from a shuffle;
  // restarts hit the others (the same one possibly more than once).
  std::vector<uint32_t> order(o.providers);
  std::iota(order.begin(), order.end(), 1u);
  for (size_t i = order.size(); i > 1; --i)
    std::swap(order[i - 1], order[rng.below(i)]);
  size_t next = 0;
  for (uint32_t i = 0; i < o.bad_proofs; ++i)
    s.faults.push_back({StressFault::kBadProofs, 0, order[next++], 0});
  // Faults fall after the first tenth, once slots have been filled.
  const auto when = [&] { return double(o.duration) * (0.1 + 0.9 * rng.uniform()); };
  for (uint32_t i = 0; i < o.kill_forever; ++i)
    s.faults.push_back({StressFault::kKillForever, when(), order[next++], 0});
  for (uint32_t i = 0; i < o.full_disks; ++i)
    s.faults.push_back({StressFault::kFullDisk, 0, order[next++], 0});
  const size_t healthy = order.size() - next;
  for (uint32_t i = 0; i < o.kill_restart; ++i) {
    PlannedFault f{StressFault::kKillRestart, when(), order[next + rng.below(healthy)], 0};
    f.down = 2 + rng.uniform() * 6;  // a few seconds, as a crash and a supervisor's restart
    s.faults.push_back(f);
  }
  for (uint32_t i = 0; i < o.rpc_faults; ++i)
    s.faults.push_back({StressFault::kRpcFaults, when(), 0, 15 + rng.uniform() * 15});
  std::stable_sort(s.faults.begin(), s.faults.end(),
                   [](const PlannedFault& a, const PlannedFault& b) { return a.at < b.at; });
  return s;
}

}  // namespace codex::devnet
