#pragma once
// What a `codex-agent stress` run does: how many nodes, how many storage
// requests and over how long, the fault counts, and the seed every draw of
// the run (request sizes and parameters, their times, the faults' times and
// victims) comes from.
#include <cstdint>
#include <filesystem>
#include <string>

namespace codex::devnet {

struct StressOptions {
  uint32_t providers = 20;
  uint32_t validators = 2;  // two or more split the slots into groups
  uint32_t clients = 1;
  uint32_t requests = 100;
  uint64_t duration = 600;  // seconds during which requests are posted and faults injected
  uint64_t seed = 1;
  // Faults drawn over the run: providers SIGKILLed and started again a few
  // seconds later, killed for good, and started sending invalid proofs.
  uint32_t kill_restart = 3;
  uint32_t kill_forever = 1;
  uint32_t bad_proofs = 1;
  // Windows of 15 to 30 s in which the nodes' JSON-RPC endpoint (a proxy in
  // front of anvil) fails this share of requests: refused, answered too late,
  // or forwarded with the answer lost.
  uint32_t rpc_faults = 2;
  // Providers whose data directory is a small disk (a tmpfs) that fills up
  // while they store slots; `full_disk_size` bytes (0: room for the node's
  // database and half of the largest slot).
  uint32_t full_disks = 1;
  uint64_t full_disk_size = 0;
  double rpc_fault_rate = 0.3;
  // The requests' parameters are drawn between these bounds.
  uint64_t min_file_size = 64 << 10;
  uint64_t max_file_size = 1 << 20;
  uint64_t min_request_duration = 60;
  uint64_t max_request_duration = 300;
  uint64_t min_proof_probability = 2;
  uint64_t max_proof_probability = 5;
  // Each provider offers room for this many of the largest slots. A provider
  // proves every slot it has reserved at once, at a period's start: on two
  // cores more than a few at a time make every proof miss its period.
  uint32_t slots_per_provider = 2;
  // At most this many requests wait to be filled at once (0: no limit); a
  // request due meanwhile is posted later, or skipped once --duration is
  // over. Filling is the costliest part (up to three providers prove each
  // slot at a period's start), and two cores prove a few slots per period.
  uint32_t max_pending = 1;

  std::filesystem::path data_dir;     // empty: a new temporary directory
  std::filesystem::path json;         // the report, or empty
  std::filesystem::path agent;        // the codex-agent program to run nodes with
  std::filesystem::path circuit_dir;  // empty: <cache>/devnet-circuit
  bool live = false;                  // a terminal: keep a status line at the bottom

  // Throws std::invalid_argument naming the option and what it allows.
  void validate() const;
  // Anvil accounts the run needs: a deployer, the clients, providers and
  // validators.
  size_t accounts() const { return 1 + clients + providers + validators; }
};

}  // namespace codex::devnet
