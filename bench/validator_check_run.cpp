// The validator's work per period (issue 14's goal: keep up with 10,000
// watched slots inside the contract's 30 s window), on anvil: N slots filled
// on chain (TestVerifier; requests of 100 slots, hosts in parallel threads),
// then one validator (agent/validator, the node's code) reads the SlotFilled
// history and checks the period that just ended: one canMarkProofAsMissing
// view per slot in JSON-RPC batches of 500 (the reference makes one call per
// slot, one after another), then a markProofAsMissing for each missing proof
// (nobody proves here: every proof the contract required is missing).
//   validator_check_run [--slots 1000] [--no-marks [--views N]]        (--help)
// Prints the seconds and RPC round trips of each part. --no-marks reads the
// views only, N of them (the filled slots over and over): filling 10,000
// slots takes anvil most of an hour (it slows down as its state grows), while
// a view of a filled slot costs the same whichever slot it is.
#include <CLI/CLI.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>

#include "agent/market/periods.h"
#include "agent/validator/validator.h"
#include "base/cli/unsigned_range.h"
#include "tests/agent/support/market_env.h"
#include "tests/agent/support/market_model_world.h"

namespace {

using namespace codex;
using Clock = std::chrono::steady_clock;

double since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app("Times the validator's check of N filled slots on anvil");
  uint64_t slots = 1000;
  bool no_marks = false;
  uint64_t views = 0;
  app.add_option("--slots", slots, "Filled slots to watch (a multiple of 100)")
      ->check(base::cli::UnsignedRange(100, 100000));
  CLI::Option* reads_only =
      app.add_flag("--no-marks", no_marks, "Only read the views (send no markProofAsMissing)");
  app.add_option("--views", views, "With --no-marks: views to read (default: one per slot)")
      ->check(base::cli::UnsignedRange(1, 1000000))
      ->needs(reads_only);
  CLI11_PARSE(app, argc, argv);
  slots = (slots + 99) / 100 * 100;

  test::MarketEnv env(test::roomy_plan());    // 60 s periods, 30 s window
  constexpr int kClient = 1, kValidator = 6;  // anvil's dev keys: 0 … 6
  const int hosts[] = {2, 3, 4, 5};
  const uint64_t requests = slots / 100;
  std::vector<market::Request> rs;
  {
    auto client = env.chain_market(kClient);
    const auto t0 = Clock::now();
    market::Uint256 total(0);
    for (uint64_t i = 0; i < requests; ++i) {
      market::Request r = test::one_slot_request(env.address(kClient), uint8_t(i));
      r.nonce[1] = uint8_t(i >> 8);
      r.ask.slots = 100;
      r.ask.max_slot_loss = 50;
      r.ask.duration = 7200;
      r.expiry = 3600;
      rs.push_back(r);
      total = total + market::max_price(r.ask);
    }
    client->execute(market::ApproveTokens{env.deployment().marketplace, total}, "approve/all");
    for (const auto& r : rs)
      client->execute(market::RequestStorage{r});
    std::printf("%llu requests of 100 slots posted in %.1f s\n", (unsigned long long)requests,
                since(t0));
  }
  {
    // Each host fills every 4th slot of every request, in a thread of its own.
    const auto t0 = Clock::now();
    std::atomic<uint64_t> filled{0};
    std::vector<std::thread> threads;
    for (size_t h = 0; h < std::size(hosts); ++h)
      threads.emplace_back([&, h] {
        auto m = env.chain_market(hosts[h]);
        m->execute(market::ApproveTokens{env.deployment().marketplace,
                                         market::Uint256(1'000'000'000'000ull)},
                   "approve/host");
        for (const auto& r : rs) {
          const auto id = market::request_id(r);
          for (uint64_t i = h; i < r.ask.slots; i += std::size(hosts)) {
            m->execute(market::ReserveSlot{id, i});
            m->execute(market::FillSlot{id, i, test::kValidProof});
            ++filled;
          }
        }
      });
    for (auto& t : threads)
      t.join();
    std::printf("%llu slots filled in %.1f s (reserve + fill, %zu hosts in parallel)\n",
                (unsigned long long)filled.load(), since(t0), std::size(hosts));
  }

  auto market = env.chain_market(kValidator);
  validator::ValidatorOptions o;
  o.max_slots = 0;
  // The database of the market's event streams, as in a node.
  validator::Validator v(*market, env.db(), o);
  const uint64_t calls0 = env.rpc().attempts();
  auto t0 = Clock::now();
  v.poll_events();
  std::printf("history: %zu slots watched from SlotFilled logs in %.2f s (%llu round trips)\n",
              v.status().watched, since(t0), (unsigned long long)(env.rpc().attempts() - calls0));

  // The next period's end: every slot owed a proof for it and none came.
  const market::Periods periods(market->configuration().proofs.period);
  const uint64_t p = periods.period_of(env.now()) + 1;
  env.set_time(periods.end(p) + 1);
  if (no_marks) {
    std::vector<market::ViewCall> calls;
    market::ViewReads reads;
    t0 = Clock::now();
    const uint64_t c0 = env.rpc().attempts();
    // What check_period reads, without the marks.
    const uint64_t n = views ? views : slots;
    for (int rep = 0; rep < 3; ++rep) {
      calls.clear();
      for (uint64_t k = 0; k < n; ++k)
        calls.push_back(market::views::CanMarkProofAsMissing{
            market::slot_id(market::request_id(rs[(k / 100) % requests]), k % 100), p});
      const auto t = Clock::now();
      reads = market->read(calls, market::At::kPending);
      std::printf("read %zu views: %.2f s\n", calls.size(), since(t));
    }
    std::printf("3 reads: %llu round trips in all\n",
                (unsigned long long)(env.rpc().attempts() - c0));
    // The reference's way: one eth_call per slot, one after another.
    const auto t1 = Clock::now();
    const size_t one_by_one = std::min<size_t>(calls.size(), 1000);
    for (size_t k = 0; k < one_by_one; ++k)
      market->can_mark_proof_as_missing(std::get<market::views::CanMarkProofAsMissing>(calls[k]).id,
                                        p);
    std::printf("%zu views one call at a time: %.2f s (%.2f ms each)\n", one_by_one, since(t1),
                1000 * since(t1) / double(one_by_one));
    return 0;
  }
  const uint64_t c1 = env.rpc().attempts();
  t0 = Clock::now();
  const validator::PeriodCheck c = v.check_period(p);
  const double total = since(t0);
  std::printf(
      "check of period %llu: %zu slots, read in %.2f s; %zu proofs missing, %zu marked, %zu "
      "failed, marks %.2f s (%.1f ms each); %.2f s in all, %llu round trips; window %llu s\n",
      (unsigned long long)p, c.slots, c.read_seconds, c.missing, c.marked, c.failed, c.mark_seconds,
      c.missing ? 1000 * c.mark_seconds / c.missing : 0.0, total,
      (unsigned long long)(env.rpc().attempts() - c1),
      (unsigned long long)market->configuration().proofs.timeout);
  return 0;
}
