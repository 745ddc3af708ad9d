#pragma once
// What `codex-agent simulate` runs: the network's size, its requests, its
// faults and the contract's configuration. Durations are seconds of simulated
// (chain) time.
#include <cstdint>
#include <optional>
#include <string>

#include "agent/market/types.h"

namespace codex::sim {

struct SimOptions {
  uint64_t seed = 1;
  uint64_t seconds = 30 * 86400;  // simulated time

  uint64_t providers = 100;
  uint64_t validators = 2;  // two or more split the slots into groups
  // Storage requests posted over the run (a Poisson process), each of
  // 3..max_slots slots with a tolerance of about a third.
  uint64_t requests = 100;
  uint64_t max_slots = 10;
  uint64_t min_duration = 7 * 86400, max_duration = 30 * 86400;
  uint64_t proof_probability = 4;  // "a proof about every N periods"

  // Each provider offers room for this many bytes (slots are 1–8 MiB).
  uint64_t provider_capacity = 256ull << 20;

  // Faults, each drawn per provider (or validator) from the seed.
  double mttf = 0;              // permanent provider loss: mean lifetime (0 = none)
  double mtbo = 0;              // crashes and restarts: mean up time between them (0 = none)
  double outage = 3600;         // and the mean time until the restart
  double slow_provers = 0;      // share of providers whose proofs often miss the deadline
  double slow_miss = 0.5;       // chance that a slow prover misses a required proof
  double droppers = 0;          // share of providers that keep only part of each slot
  double dropped_fraction = 0;  // the part of each slot they dropped
  double withholders = 0;       // share of providers that prove but never serve their data
  // Share of providers whose disks corrupt part of every slot after they
  // filled it: a proof fails when it samples a corrupt cell (as for a
  // dropped one), and peers repairing another slot reject the corrupt
  // blocks (the CIDs do not match) and decode those rows from other hosts.
  double corrupters = 0;
  double corrupted_fraction = 0.01;
  double validator_mtbo = 0;  // validators going offline (0 = never)
  double validator_outage = 3600;

  // The data network between providers (the chain is reached apart from
  // it). A slot's data takes latency + bytes / bandwidth to arrive: one
  // slot from the client for a fill, K slots from the other hosts for a
  // repair (erasure decoding reads K). Each provider's bandwidth is drawn
  // between half and one and a half times `bandwidth` (bytes per second;
  // 0: transfers are instantaneous). Partitions cut a share of the
  // providers off from the others and from the clients for a while: a fill
  // or repair on the wrong side fails, and repairs count only hosts on the
  // same side.
  double latency = 0.05;
  double bandwidth = 12.5e6;         // 100 Mbit/s
  double partition_mtbp = 0;         // mean time between partitions (0 = none)
  double partition_duration = 3600;  // and their mean length
  double partition_share = 0.2;      // share of the providers cut off

  // Seconds between blocks (a public chain's 12 s): the proof pointer moves
  // one per block.
  uint64_t block_time = 12;
  // The marketplace model answers the roles' shortcuts a chain cannot: hosts
  // learn the next period whose proof check has something to do
  // (MarketApi::next_proof_check) and sleep until then instead of checking
  // every period; validators read only the slots whose proof was required
  // (MarketApi::can_mark_candidates). The same run, the same event log,
  // faster. false: the roles work as on a chain.
  bool model_shortcuts = true;
  // A scripted run instead of random requests, to compare a simulation with
  // a real one (the devnet's): one request posted at the start, every
  // provider offering room for one of its slots, and optionally the host of
  // one slot lost for good some seconds after the request starts.
  struct Scenario {
    market::Ask ask;
    uint64_t expiry = 0;
    std::optional<uint64_t> lose_host_of_slot;
    uint64_t lose_after_start = 0;
  };
  std::optional<Scenario> scenario;

  // The contract's configuration; MarketplaceConfig's defaults are the
  // reference's (configs/chain-reference.json: 120 s periods, 30 s timeout).
  market::MarketplaceConfig config;

  // Throws std::invalid_argument naming the option.
  void validate() const;
};

}  // namespace codex::sim
