// The in-memory marketplace model at simulation scale: many filled slots proved
// period after period through MarketApi, as the sales and validator roles
// would drive it (a view per slot, a submitProof when required, the
// validator's canMarkProofAsMissing for every slot), whole request lifecycles,
// and single views. Items are slot-periods, transactions or views per second.
#include <benchmark/benchmark.h>

#include <memory>
#include <vector>

#include "agent/market/periods.h"
#include "tests/agent/support/market_model_world.h"

namespace codex::market {
namespace {

using test::kValidProof;
using test::ModelWorld;

constexpr int kClients = 4, kHosts = 100, kValidator = 0;

model::ModelOptions simulation_options() {
  model::ModelOptions o = ModelWorld::default_options();
  o.keep_event_history = false;  // no stream reads them: keep none
  o.journal_horizon = 600;       // intent keys of the last ten minutes
  return o;
}

// `slots` filled slots (4 per request, proof probability 4: about every third
// period), hosts spread over the slots, requests lasting 30 days.
struct Market {
  ModelWorld w{simulation_options(), 1 + kClients + kHosts};
  struct Slot {
    SlotId id;
    int host;
  };
  std::vector<Slot> slots;

  explicit Market(int n) {
    for (int i = 0; i < n / 4; ++i) {
      const int client = 1 + i % kClients;
      Request r = w.request(client, 4, 2'592'000, 3600, uint8_t(i));
      r.nonce[1] = uint8_t(i >> 8);
      r.ask.proof_probability = Uint256(4);
      const RequestId id = request_id(r);
      w.request_storage(r, client);
      for (uint64_t k = 0; k < 4; ++k) {
        const int host = 1 + kClients + int((i * 4 + k) % kHosts);
        w.reserve(host, id, k);
        w.fill(host, r, k);
        slots.push_back({slot_id(id, k), host});
      }
    }
  }
};

void BM_ModelProvingPeriods(benchmark::State& state) {
  Market m(int(state.range(0)));
  ModelWorld& w = m.w;
  const Periods periods(w.config().proofs.period);
  uint64_t proofs = 0, checks = 0, slot_periods = 0;
  for (auto _ : state) {
    // The start of the next period: every host proves what is required of it.
    w.set_time(periods.start(periods.period_of(w.now()) + 1) + 1);
    for (const auto& s : m.slots) {
      MarketApi& host = w.api(s.host);
      if (host.is_proof_required(s.id) || host.will_proof_be_required(s.id)) {
        host.execute(SubmitProof{s.id, kValidProof, periods.period_of(w.now())});
        ++proofs;
      }
    }
    // Inside the validation window of the previous period: the validator asks
    // for every slot whether it can mark it (none is missing here).
    const uint64_t previous = periods.period_of(w.now()) - 1;
    for (const auto& s : m.slots) {
      benchmark::DoNotOptimize(w.api(kValidator).can_mark_proof_as_missing(s.id, previous));
      ++checks;
    }
    slot_periods += m.slots.size();
  }
  state.SetItemsProcessed(int64_t(slot_periods));
  state.counters["periods/s"] =
      benchmark::Counter(double(state.iterations()), benchmark::Counter::kIsRate);
  state.counters["proofs/s"] = benchmark::Counter(double(proofs), benchmark::Counter::kIsRate);
  state.counters["checks/s"] = benchmark::Counter(double(checks), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_ModelProvingPeriods)
    ->Arg(1000)
    ->Arg(10000)
    ->Unit(benchmark::kMillisecond)
    ->MinTime(2.0);

// One request from approval to withdrawal: approve + request, 4 x (reserve,
// approve, fill), the end, 4 payouts, the withdrawal (16 transactions).
void BM_ModelRequestLifecycle(benchmark::State& state) {
  ModelWorld w(simulation_options(), 6);
  uint64_t n = 0, txs = 0;
  for (auto _ : state) {
    Request r = w.request(1, 4, 600, 300, uint8_t(n));
    r.nonce[1] = uint8_t(n >> 8);
    r.nonce[2] = uint8_t(n >> 16);
    ++n;
    const RequestId id = request_id(r);
    w.request_storage(r, 1);
    w.advance(1);  // hosts are paid from their fill: leave the client something back
    for (uint64_t k = 0; k < 4; ++k) {
      w.reserve(2 + int(k), id, k);
      w.fill(2 + int(k), r, k);
    }
    w.set_time(w.api(1).request_end(id) + 1);
    for (uint64_t k = 0; k < 4; ++k)
      w.api(2 + int(k)).execute(FreeSlot{slot_id(id, k), {}});
    w.api(1).execute(WithdrawFunds{id, {}});
    txs += 16;
  }
  state.SetItemsProcessed(int64_t(txs));
}
BENCHMARK(BM_ModelRequestLifecycle)->Unit(benchmark::kMicrosecond);

// The whole requirement (state, pointer, challenge, probability): a period
// after the fills.
void BM_ModelViewIsProofRequired(benchmark::State& state) {
  Market m(64);
  m.w.advance(m.w.config().proofs.period);
  for (auto _ : state)
    for (const auto& s : m.slots)
      benchmark::DoNotOptimize(m.w.api(s.host).is_proof_required(s.id));
  state.SetItemsProcessed(int64_t(state.iterations() * m.slots.size()));
}
BENCHMARK(BM_ModelViewIsProofRequired);

}  // namespace
}  // namespace codex::market
