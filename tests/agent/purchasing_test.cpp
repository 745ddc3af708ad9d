// The client role (spec node.md §6) on the in-memory marketplace with real
// providers' state machines: a local dataset erasure-coded, its slots built,
// the request sent, filled, run to its end and the funds withdrawn; every
// rule of §6.1; a client restarted before its request was sent; a request
// nobody fills.
#include <gtest/gtest.h>

#include <random>

#include "agent/purchasing/purchasing.h"
#include "agent/slots/verifiable.h"
#include "base/hex.h"
#include "exchange/dataset/dataset_writer.h"
#include "exchange/error.h"
#include "tests/agent/support/model_roles.h"

namespace codex::purchasing {
namespace {

using market::Uint256;
using test::ModelProvider;
using test::ModelWorld;
using test::role;
using test::run_roles;

constexpr int kClient = 1;

struct Client {
  codex::testing::TempDir dir{"purchasing"};
  store::testing::TestStore store;
  std::unique_ptr<PurchaseRecords> records;
  std::unique_ptr<PurchasingContext> ctx;
  std::unique_ptr<market::EventStream> events;
  std::unique_ptr<Purchasing> purchasing;
  std::vector<Cid> announced;

  explicit Client(ModelWorld& w) { open(w); }
  void open(ModelWorld& w) {
    store = store::testing::open_store(dir.path() / "node", {});
    records = std::make_unique<PurchaseRecords>(store.db());
    ctx.reset(new PurchasingContext{w.api(kClient), *records, store.db()});
    events = w.api(kClient).events("purchasing");
    purchasing = std::make_unique<Purchasing>(*ctx, *store,
                                              [this](const Cid& c) { announced.push_back(c); });
    purchasing->start();
  }
  void restart(ModelWorld& w) {
    purchasing.reset();
    events.reset();
    ctx.reset();
    records.reset();
    store.reset();
    open(w);
  }
  Cid upload(size_t bytes, uint64_t seed = 5) {
    std::vector<uint8_t> data(bytes);
    std::mt19937_64 rng(seed);
    for (auto& b : data)
      b = uint8_t(rng());
    DatasetWriter writer(*store, 4096);
    writer.write(data);
    return writer.finish();
  }
  void run() {
    events->poll([&](const market::DecodedEvent& e, base::sqlite::WriteTxn*) {
      purchasing->handle(e.event);
    });
    while (auto id = purchasing->take_due())
      purchasing->stepped(*id, purchasing->step(*id));
  }
  test::ModelRole as_role() {
    return {[this] { run(); }, [this] { return purchasing->next_wake(); }};
  }
};

StorageRequestParams params() {
  StorageRequestParams p;
  p.duration = 600;
  p.proof_probability = Uint256(1);
  p.price_per_byte_per_second = Uint256(1);
  p.collateral_per_byte = Uint256(1);
  p.expiry = 300;
  p.nodes = 3;
  p.tolerance = 1;
  return p;
}

TEST(Purchasing, ARequestIsFilledRunsToItsEndAndTheFundsComeBack) {
  ModelWorld w;
  Client c(w);
  const Cid cid = c.upload(5 * 4096 - 7);
  const Uint256 client0 = w.balance(kClient);
  const market::RequestId id = c.purchasing->request_storage(cid, params());

  const PurchaseRecord r = *c.purchasing->purchase(id);
  EXPECT_EQ(r.state, PurchaseState::Pending);
  EXPECT_EQ(r.request.ask.slots, 3u) << "K = 2, M = 1";
  EXPECT_EQ(r.request.ask.slot_size, 4u * 4096)
      << "3 data blocks padded to 4 (cells a power of two)";
  EXPECT_EQ(r.request.ask.max_slot_loss, 1u);
  EXPECT_EQ(r.request.client, w.address(kClient));
  // The verifiable manifest is stored, announced and named by the request.
  ASSERT_EQ(c.announced.size(), 1u);
  const Cid vcid = Cid::from_bytes(std::span<const uint8_t>(r.request.content.cid));
  EXPECT_EQ(vcid, c.announced[0]);
  const Manifest v = Manifest::decode(*c.store->get_block(vcid));
  ASSERT_TRUE(v.is_verifiable());
  EXPECT_EQ(std::string(r.request.content.merkle_root.begin(), r.request.content.merkle_root.end()),
            v.erasure->verification->verify_root.hash().digest());

  std::vector<std::unique_ptr<ModelProvider>> ps;
  std::vector<test::ModelRole> roles{c.as_role()};
  for (int a : {2, 3, 4}) {
    ps.push_back(std::make_unique<ModelProvider>(w, a));
    ps.back()->offer(1 << 16);
    ps.back()->sales->start();
    roles.push_back(role(*ps.back()));
  }
  run_roles(w, roles, 3000,
            [&] { return c.purchasing->purchase(id)->state == PurchaseState::Completed; });
  EXPECT_EQ(c.purchasing->purchase(id)->state, PurchaseState::Completed);
  EXPECT_STREQ(to_string(PurchaseState::Completed), "finished");
  EXPECT_EQ(c.records->count_by_state(),
            (std::map<PurchaseState, uint64_t>{{PurchaseState::Completed, 1}}));
  EXPECT_EQ(w.api(0).request_state(id), market::RequestState::Finished);
  // The client paid for the time each slot was filled; the rest came back.
  const Uint256 paid = client0 - w.balance(kClient);
  EXPECT_GT(paid, Uint256(0));
  EXPECT_LE(paid, market::max_price(r.request.ask));
  EXPECT_EQ(w.market_balance(), Uint256(0)) << "nothing left in the marketplace";
}

TEST(Purchasing, EveryRuleOfTheRequestIsChecked) {
  ModelWorld w;
  Client c(w);
  const Cid cid = c.upload(5 * 4096);
  struct Case {
    std::function<void(StorageRequestParams&)> change;
    const char* says;
  } cases[] = {
      {[](auto& p) { p.expiry = 0; }, "Expiry must be greater than zero"},
      {[](auto& p) { p.expiry = p.duration; }, "Expiry must be lower than the duration"},
      {[](auto& p) { p.proof_probability = Uint256(0); }, "Proof probability"},
      {[](auto& p) { p.collateral_per_byte = Uint256(0); }, "Collateral per byte"},
      {[](auto& p) { p.price_per_byte_per_second = Uint256(0); }, "Price per byte"},
      {[&](auto& p) { p.duration = w.config().request_duration_limit + 1; }, "Duration exceeds"},
      {[](auto& p) { p.tolerance = 0; }, "Tolerance"},
      {[](auto& p) { p.tolerance = 4; }, "cannot be greater than `nodes`"},
      {[](auto& p) { p.nodes = 2; }, "1 < (nodes - tolerance)"},
      {[](auto& p) { p.nodes = 5, p.tolerance = 3; }, "1 < (nodes - tolerance)"},
  };
  for (const Case& k : cases) {
    StorageRequestParams p = params();
    k.change(p);
    try {
      c.purchasing->request_storage(cid, p);
      ADD_FAILURE() << "accepted: " << k.says;
    } catch (const InvalidStorageRequest& e) {
      EXPECT_NE(std::string(e.what()).find(k.says), std::string::npos) << e.what();
    }
  }
  // Too small for K = 4.
  StorageRequestParams big = params();
  big.nodes = 6;
  big.tolerance = 2;
  const Cid small = c.upload(3 * 4096, 9);
  try {
    c.purchasing->request_storage(small, big);
    ADD_FAILURE();
  } catch (const InvalidStorageRequest& e) {
    EXPECT_NE(std::string(e.what()).find("need at least 16384 bytes"), std::string::npos)
        << e.what();
  }
  // Not here, and not a manifest.
  EXPECT_THROW(c.purchasing->request_storage(
                   Cid::sha256_of(multicodec::kManifest, std::vector<uint8_t>{1}), params()),
               NotFoundError);
  EXPECT_THROW(c.purchasing->request_storage(
                   Cid::sha256_of(multicodec::kBlock, std::vector<uint8_t>{1}), params()),
               InvalidStorageRequest);
  EXPECT_TRUE(c.purchasing->purchases().empty()) << "nothing recorded for a refused request";
}

TEST(Purchasing, AClientKilledBeforeSendingSendsOnceAfterItsRestart) {
  ModelWorld w;
  Client c(w);
  const market::RequestId id = c.purchasing->request_storage(c.upload(5 * 4096), params());
  c.restart(w);  // nothing stepped yet
  c.run();
  EXPECT_EQ(c.purchasing->purchase(id)->state, PurchaseState::Submitted);
  c.restart(w);
  c.run();
  EXPECT_EQ(w.api(0).request_state(id), market::RequestState::New);
  size_t requested = 0;
  auto all = w.api(0).events("count");
  all->poll([&](const market::DecodedEvent& e, base::sqlite::WriteTxn*) {
    requested += std::holds_alternative<market::StorageRequested>(e.event) ? 1 : 0;
  });
  EXPECT_EQ(requested, 1u);
}

// ERC20 approve sets the allowance: a purchase whose approval another one
// replaced (here: approved, killed, and the other sent first after the
// restart) approves again instead of failing for want of allowance.
TEST(Purchasing, AnApprovalReplacedByAnotherPurchasesIsMadeAgain) {
  ModelWorld w;
  Client c(w);
  const market::RequestId a = c.purchasing->request_storage(c.upload(5 * 4096, 1), params());
  const market::RequestId b = c.purchasing->request_storage(c.upload(6 * 4096, 2), params());
  const PurchaseRecord ra = *c.purchasing->purchase(a);
  w.api(kClient).execute(
      market::ApproveTokens{w.model().marketplace_address(), market::max_price(ra.request.ask)},
      "purchase/" + base::to_hex(a) + "/approve");
  c.restart(w);
  std::vector<market::RequestId> due;
  while (auto id = c.purchasing->take_due())
    due.push_back(*id);
  ASSERT_EQ(due.size(), 2u);
  c.purchasing->stepped(b, c.purchasing->step(b));
  c.purchasing->stepped(a, c.purchasing->step(a));
  EXPECT_EQ(c.purchasing->purchase(a)->state, PurchaseState::Submitted)
      << c.purchasing->purchase(a)->error;
  EXPECT_EQ(w.api(0).request_state(a), market::RequestState::New);
  EXPECT_EQ(w.api(0).request_state(b), market::RequestState::New);
}

TEST(Purchasing, ARequestNobodyFillsIsCancelledAndRefunded) {
  ModelWorld w;
  Client c(w);
  const Uint256 client0 = w.balance(kClient);
  const market::RequestId id = c.purchasing->request_storage(c.upload(5 * 4096), params());
  run_roles(w, {c.as_role()}, 1000, [&] { return is_over(c.purchasing->purchase(id)->state); });
  const PurchaseRecord r = *c.purchasing->purchase(id);
  EXPECT_EQ(r.state, PurchaseState::Errored);
  EXPECT_NE(r.error.find("Timeout"), std::string::npos) << r.error;
  EXPECT_EQ(w.balance(kClient), client0) << "the whole price came back";
}

}  // namespace
}  // namespace codex::purchasing
