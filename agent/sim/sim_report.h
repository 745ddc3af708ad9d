#pragma once
// What a simulation measured: totals, one row per simulated day, each
// provider's earnings and the hash of the event log. to_json() is the report
// `codex-agent simulate --json` writes.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace codex::sim {

struct DayRow {
  uint64_t day = 0;
  uint64_t datasets_alive = 0;  // requests started and not ended
  uint64_t datasets_lost = 0;   // requests failed so far
  uint64_t datasets_finished = 0;
  uint64_t slots_filled = 0;     // at the end of the day
  uint64_t slots_repairing = 0;  // freed, not yet filled again
  uint64_t providers_up = 0, providers_down = 0, providers_lost = 0;
  uint64_t proofs = 0, marks = 0, repairs = 0;  // during the day
};

struct SimTotals {
  uint64_t requests_posted = 0, requests_started = 0, requests_finished = 0, requests_failed = 0,
           requests_cancelled = 0;
  uint64_t slots_filled = 0, slots_freed = 0, repairs = 0;
  uint64_t proofs_submitted = 0, marks = 0;
  uint64_t providers_lost = 0, outages = 0, validator_outages = 0, partitions = 0;
  uint64_t bytes_moved = 0;  // slot data sent over the simulated network
  // Missed proofs the contract would let be marked, read once every online
  // validator has checked the period: marked (a mark that freed its slot
  // leaves nothing to read and is not counted here), left to a validator
  // that was offline, and left unmarked though its validator was online (an
  // invariant: none).
  uint64_t misses_marked = 0, misses_excused = 0, misses_unmarked = 0;
  std::string validator_rewards = "0";  // token units, decimal
};

struct SimReport {
  uint64_t seed = 0;
  uint64_t providers = 0, validators = 0;
  double simulated_days = 0;
  double wall_seconds = 0;
  double provider_days_per_second = 0;
  SimTotals totals;
  std::vector<DayRow> days;
  std::vector<std::string> provider_earnings;  // token units, signed decimal, by provider
  struct Tokens {
    std::string client;       // its change (negative: what it paid)
    std::string marketplace;  // what the marketplace holds at the end
    bool conserved = false;   // every token gained was lost by another party
  } tokens;
  uint64_t events = 0;
  std::string event_log_hash;  // keccak-256 over the event log's lines

  nlohmann::json to_json() const;
};

}  // namespace codex::sim
