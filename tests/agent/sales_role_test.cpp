// The provider role (spec node.md §5) on the in-memory marketplace: providers
// that hear the marketplace's events, queue the slots, sell them, prove and
// get paid; skipped slots tried again when an availability grows; a provider
// restarted mid-sale; requests posted while a provider was down.
#include <gtest/gtest.h>

#include "agent/market/market_api.h"
#include "agent/sales/availabilities.h"
#include "agent/sales/sales.h"
#include "agent/sales/slot_work.h"
#include "tests/agent/support/market_model_world.h"
#include "tests/exchange/support/store_test_support.h"

namespace codex::sales {
namespace {

using market::Uint256;
using test::ModelWorld;

constexpr int kClient = 1;

class ScriptedWork : public SlotWork {
 public:
  void store(const market::Request& r, uint64_t, bool,
             const std::function<void(uint64_t)>& stored) override {
    stored(r.ask.slot_size);
  }
  market::Groth16Proof prove(const market::Request&, uint64_t, const market::Hash&) override {
    return test::kValidProof;
  }
};

// One provider: its own data directory, account, events and sales.
struct Provider {
  int account;
  codex::testing::TempDir dir{"sales-role"};
  store::testing::TestStore store;
  std::unique_ptr<Availabilities> availabilities;
  std::unique_ptr<SaleRecords> records;
  ScriptedWork work;
  std::unique_ptr<SalesContext> ctx;
  std::unique_ptr<market::EventStream> events;
  std::unique_ptr<Sales> sales;

  Provider(ModelWorld& w, int account) : account(account) { open(w); }
  void open(ModelWorld& w) {
    store::RepoOptions o;
    o.quota_bytes = 1 << 20;
    store = store::testing::open_store(dir.path() / "node", o);
    availabilities = std::make_unique<Availabilities>(store.db(), *store);
    records = std::make_unique<SaleRecords>(store.db());
    ctx.reset(new SalesContext{w.api(account), *availabilities, *records, work, store.db()});
    events = w.api(account).events("sales");
    SalesOptions so;
    so.seed = uint64_t(account);
    sales = std::make_unique<Sales>(*ctx, so);
  }
  // Kill and restart: everything in memory goes, the database stays.
  void restart(ModelWorld& w, const std::vector<market::RequestId>& open_requests = {}) {
    sales.reset();
    events.reset();
    ctx.reset();
    records.reset();
    availabilities.reset();
    store.reset();
    open(w);
    sales->start(open_requests);
  }
  Availability offer(uint64_t size = 100'000) {
    NewAvailability n;
    n.total_size = size;
    n.duration = 10'000;
    n.min_price_per_byte_per_second = Uint256(1);
    n.total_collateral = Uint256(1'000'000);
    return availabilities->create(n);
  }
  // Hears the events and steps every sale that is due.
  void run() {
    events->poll(
        [&](const market::DecodedEvent& e, base::sqlite::WriteTxn*) { sales->handle(e.event); });
    while (auto slot = sales->take_due())
      sales->stepped(*slot, sales->step(*slot));
  }
};

// Runs the providers until `done` or `seconds` of chain time pass, jumping
// the clock to the next wake-up.
void run(ModelWorld& w, std::vector<Provider*> ps, uint64_t seconds,
         const std::function<bool()>& done) {
  const uint64_t until = w.now() + seconds;
  while (w.now() < until && !done()) {
    for (Provider* p : ps)
      p->run();
    std::optional<uint64_t> next;
    for (Provider* p : ps)
      if (auto at = p->sales->next_wake(); at && (!next || *at < *next)) next = at;
    w.set_time(std::max(w.now() + 1, next.value_or(w.now() + 1)));
  }
}

TEST(SalesRole, ThreeProvidersFillARequestProveAndGetPaid) {
  ModelWorld w;
  std::vector<std::unique_ptr<Provider>> ps;
  std::vector<Provider*> raw;
  std::vector<Uint256> before;
  for (int a : {2, 3, 4}) {
    ps.push_back(std::make_unique<Provider>(w, a));
    ps.back()->offer(1024);  // one slot each
    ps.back()->sales->start();
    raw.push_back(ps.back().get());
    before.push_back(w.balance(a));
  }
  const market::Request r = w.request(kClient);
  const market::RequestId id = market::request_id(r);
  w.request_storage(r, kClient);
  run(w, raw, 2000, [&] {
    return w.api(0).request_state(id) == market::RequestState::Finished &&
           std::all_of(raw.begin(), raw.end(),
                       [](Provider* p) { return p->sales->sales().empty(); });
  });
  EXPECT_EQ(w.api(0).request_state(id), market::RequestState::Finished);
  for (size_t i = 0; i < ps.size(); ++i) {
    EXPECT_GT(w.balance(ps[i]->account), before[i]) << "provider " << i << " was paid";
    size_t finished = 0;
    for (const SaleRecord& rec : ps[i]->records->all()) {
      finished += rec.state == SaleState::Finished ? 1 : 0;
      EXPECT_TRUE(rec.state == SaleState::Finished || rec.state == SaleState::Ignored)
          << to_string(rec.state) << ": " << rec.error;
    }
    EXPECT_EQ(finished, 1u) << "one slot each (their availabilities hold one)";
    EXPECT_EQ(ps[i]->availabilities->all()[0].free_size, 1024u) << "the slot came back";
  }
}

TEST(SalesRole, SkippedSlotsAreTriedAgainWhenAnAvailabilityGrows) {
  ModelWorld w;
  Provider p(w, 2);
  const Availability a = p.offer(1000);  // too small for a 1024-byte slot
  p.sales->start();
  const market::Request r = w.request(kClient);
  w.request_storage(r, kClient);
  run(w, {&p}, 30, [] { return false; });
  EXPECT_TRUE(p.sales->queue().paused()) << "every slot tried; waiting for something new";
  EXPECT_EQ(p.sales->queue().size(), 3u);
  AvailabilityPatch grow;
  grow.total_size = 4096;
  p.availabilities->update(a.id, grow);
  EXPECT_FALSE(p.sales->queue().paused());
  run(w, {&p}, 30, [&] { return p.sales->queue().size() == 0; });
  size_t reserving_or_later = 0;
  for (const SaleRecord& s : p.sales->sales())
    reserving_or_later += s.state != SaleState::Preparing ? 1 : 0;
  EXPECT_EQ(reserving_or_later, 3u) << "the provider now sells all three";
}

TEST(SalesRole, AProviderRestartedMidSaleFinishesItsSales) {
  ModelWorld w;
  Provider p(w, 2), q(w, 3), s(w, 4);
  for (Provider* x : {&p, &q, &s}) {
    x->offer(1024);
    x->sales->start();
  }
  const market::Request r = w.request(kClient);
  const market::RequestId id = market::request_id(r);
  w.request_storage(r, kClient);
  run(w, {&p, &q, &s}, 5, [] { return false; });
  ASSERT_FALSE(p.sales->sales().empty());
  p.restart(w);
  run(w, {&p, &q, &s}, 2000, [&] {
    return w.api(0).request_state(id) == market::RequestState::Finished && p.sales->sales().empty();
  });
  EXPECT_EQ(w.api(0).request_state(id), market::RequestState::Finished);
  size_t finished = 0;
  for (const SaleRecord& rec : p.records->all())
    finished += rec.state == SaleState::Finished ? 1 : 0;
  EXPECT_EQ(finished, 1u);
}

TEST(SalesRole, RequestsPostedWhileDownAreFoundAtStart) {
  ModelWorld w;
  Provider p(w, 2);
  p.offer();
  const market::Request r = w.request(kClient);
  const market::RequestId id = market::request_id(r);
  w.request_storage(r, kClient);
  // The provider was down: its event stream starts after the request.
  p.events = w.api(2).events("sales-late", w.api(0).block_number() + 1);
  p.restart(w, {id});
  p.events = w.api(2).events("sales-late");
  EXPECT_EQ(p.sales->queue().size(), 3u);
  w.advance(r.expiry + 1);
  p.restart(w, {id});
  EXPECT_EQ(p.sales->queue().size(), 0u) << "an expired request is not queued";
}

}  // namespace
}  // namespace codex::sales
