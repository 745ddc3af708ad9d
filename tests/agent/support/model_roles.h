// Roles on the in-memory marketplace for tests: a provider (its own data
// directory, account, event stream and Sales) with slot work that always
// succeeds, and a loop that runs roles while jumping the clock to the next
// wake-up.
#pragma once

#include <algorithm>
#include <functional>
#include <memory>
#include <vector>

#include "agent/market/market_api.h"
#include "agent/sales/availabilities.h"
#include "agent/sales/sales.h"
#include "agent/sales/slot_work.h"
#include "tests/agent/support/market_model_world.h"
#include "tests/exchange/support/store_test_support.h"

namespace codex::test {

using sales::Availabilities;
using sales::Availability;
using sales::NewAvailability;
using sales::SaleRecords;
using sales::Sales;
using sales::SalesContext;
using sales::SalesOptions;
using sales::SlotWork;

class ScriptedWork : public SlotWork {
 public:
  void store(const market::Request& r, uint64_t, bool repairing,
             const std::function<void(uint64_t)>& stored) override {
    repairs += repairing ? 1 : 0;
    stored(r.ask.slot_size);
  }
  market::Groth16Proof prove(const market::Request&, uint64_t, const market::Hash&) override {
    return kValidProof;
  }
  int repairs = 0;  // store() calls for a freed slot
};

// One provider: its own data directory, account, events and sales.
struct ModelProvider {
  int account;
  codex::testing::TempDir dir{"sales-role"};
  store::testing::TestStore store;
  std::unique_ptr<Availabilities> availabilities;
  std::unique_ptr<SaleRecords> records;
  ScriptedWork work;
  std::unique_ptr<SalesContext> ctx;
  std::unique_ptr<market::EventStream> events;
  std::unique_ptr<Sales> sales;

  ModelProvider(test::ModelWorld& w, int account) : account(account) { open(w); }
  void open(test::ModelWorld& w) {
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
  void restart(test::ModelWorld& w, const std::vector<market::RequestId>& open_requests = {}) {
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
    n.min_price_per_byte_per_second = eth::Uint256(1);
    n.total_collateral = eth::Uint256(1'000'000);
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

// A role run in the loop below: acts on what is due and says when it next
// wants to.
struct ModelRole {
  std::function<void()> run;
  std::function<std::optional<uint64_t>()> next_wake;
};

inline ModelRole role(ModelProvider& p) {
  return {[&p] { p.run(); }, [&p] { return p.sales->next_wake(); }};
}

// Runs the roles until `done` or `seconds` of chain time pass, jumping the
// clock to the next wake-up.
inline void run_roles(test::ModelWorld& w, const std::vector<ModelRole>& roles, uint64_t seconds,
                      const std::function<bool()>& done) {
  const uint64_t until = w.now() + seconds;
  while (w.now() < until && !done()) {
    for (const ModelRole& r : roles)
      r.run();
    std::optional<uint64_t> next;
    for (const ModelRole& r : roles)
      if (auto at = r.next_wake(); at && (!next || *at < *next)) next = at;
    w.set_time(std::max(w.now() + 1, next.value_or(w.now() + 1)));
  }
}

}  // namespace codex::test
