#pragma once
// The plan of a stress run, drawn from its seed before anything starts: each
// storage request (when it is posted, by which client, its file size and
// parameters) and each fault (when, which provider, what). The same options
// give the same plan; what the network then does with it is not deterministic
// (real processes on real time).
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "agent/devnet/stress_options.h"

namespace codex::devnet {

struct PlannedRequest {
  uint32_t index = 0;   // 0-based, in posting order
  double at = 0;        // seconds after the network is up
  uint32_t client = 0;  // 0-based
  uint64_t file_size = 0;
  uint64_t nodes = 0;
  uint64_t tolerance = 0;
  uint64_t duration = 0;  // seconds
  uint64_t expiry = 0;    // seconds for the slots to be filled
  uint64_t proof_probability = 0;
};

// kRpcFaults fails the JSON-RPC of every node for `down` seconds (its
// `provider` is 0); kFullDisk starts a provider on a small disk.
enum class StressFault { kKillRestart, kKillForever, kBadProofs, kRpcFaults, kFullDisk };
const char* to_string(StressFault f);

struct PlannedFault {
  StressFault kind = StressFault::kKillRestart;
  double at = 0;          // seconds after the network is up (0 for bad proofs: from the start)
  uint32_t provider = 0;  // 1-based, as the node's name "providerN"
  double down = 0;        // kill-restart: seconds until it starts again; rpc: the window
};

struct StressSchedule {
  std::vector<PlannedRequest> requests;  // by `at`
  std::vector<PlannedFault> faults;      // by `at`
  // The providers started with --simulate-proof-failures, 1-based.
  std::vector<uint32_t> bad_provers() const;
  // The providers started on a small disk, 1-based.
  std::vector<uint32_t> small_disks() const;
  nlohmann::json to_json() const;
};

// REQUIRES: o.validate() passed.
StressSchedule draw_schedule(const StressOptions& o);

}  // namespace codex::devnet
