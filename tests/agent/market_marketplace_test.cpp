// The typed marketplace facade: ids and structs against the vectors, then the real
// Marketplace (contracts-abi artifacts with TestVerifier) on anvil: request storage,
// reserve, fill, events, views and custom-error names.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "agent/eth/http_rpc_client.h"
#include "agent/market/abi_mapping.h"
#include "agent/market/event_watcher.h"
#include "agent/market/events.h"
#include "agent/market/marketplace.h"
#include "agent/market/periods.h"
#include "base/sqlite/database.h"
#include "contracts-abi/artifacts.h"
#include "tests/agent/support/anvil.h"

namespace codex::market {
namespace {

using nlohmann::json;

json vectors() {
  std::ifstream in(std::string(CODEX_SOURCE_DIR) + "/tests/data/codex-abi-vectors.json");
  std::stringstream ss;
  ss << in.rdbuf();
  return json::parse(ss.str());
}

Hash hash_hex(const std::string& s) {
  Hash h;
  eth::from_hex_exact(s, h);
  return h;
}

Request vector_request() {
  Request r;
  r.client = Address::parse("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
  r.ask = {Uint256(4), Uint256(1), Uint256(1), 4, 1024, 3600, 1};
  std::string cid = "example-cid";
  r.content.cid.assign(cid.begin(), cid.end());
  r.content.merkle_root.fill(0x11);
  r.expiry = 600;
  r.nonce.fill(0x22);
  return r;
}

TEST(MarketTypes, IdsAndAmountsMatchVectors) {
  json v = vectors();
  Request r = vector_request();
  RequestId id = request_id(r);
  EXPECT_EQ(eth::to_hex(id), v["requestId"].get<std::string>());
  for (uint64_t i = 0; i < 4; ++i)
    EXPECT_EQ(eth::to_hex(slot_id(id, i)), v["slotIds"][i].get<std::string>());
  EXPECT_EQ(max_price(r.ask).to_dec(), v["maxPrice"].get<std::string>());
  EXPECT_EQ(collateral_per_slot(r.ask).to_dec(), v["collateralPerSlot"].get<std::string>());
  EXPECT_EQ(request_from_abi(to_abi(r)), r);
}

TEST(MarketTypes, ConfigurationRoundTripAndBadShapes) {
  json v = vectors();
  auto cfg_type = eth::AbiType::parse(
      "((uint8,uint8,uint8,uint8),(uint64,uint64,uint8,uint8,string),(uint8),uint64)");
  auto val =
      eth::abi::decode(cfg_type, eth::from_hex(v["configurationReturnData"].get<std::string>()));
  MarketplaceConfig c = config_from_abi(val);
  EXPECT_EQ(c.proofs.period, 120u);
  EXPECT_EQ(c.proofs.downtime_product, 67);
  EXPECT_EQ(c.max_reservations, 3);
  EXPECT_EQ(to_abi(c), val);
  EXPECT_THROW(config_from_abi(eth::AbiValue(eth::AbiValue::List{})), eth::AbiError);
  EXPECT_THROW(request_from_abi(eth::AbiValue(uint64_t{1})), eth::AbiError);
}

TEST(MarketPeriods, FieldConversionsGroupsAndPeriods) {
  json v = vectors();
  const json& f = v["fieldElements"];
  EXPECT_EQ(challenge_to_field(hash_hex(f["challenge"].get<std::string>())).to_dec(),
            f["challengeToFieldElement"].get<std::string>());
  EXPECT_EQ(merkle_root_to_field(hash_hex(f["merkleRoot"].get<std::string>())).to_dec(),
            f["merkleRootToFieldElement"].get<std::string>());
  SlotId s = hash_hex(v["slotIds"][0].get<std::string>());  // 0x38d425dc338014fb...
  EXPECT_EQ(slot_group(s, uint64_t{1} << 32), 0x338014fbu);
  EXPECT_EQ(slot_group(s, 1), 0u);
  EXPECT_THROW(slot_group(s, 0), std::invalid_argument);
  Periods p(120);
  EXPECT_EQ(p.period_of(239), 1u);
  EXPECT_EQ(p.end(1), 240u);
  EXPECT_THROW(Periods(0), std::invalid_argument);
}

class MarketChain : public ::testing::Test {
 protected:
  static std::string artifact(const char* name) {
    auto a = contracts::find_artifact(name);
    if (!a) throw std::runtime_error(std::string("artifact missing: ") + name);
    return std::string(*a);
  }
  static Address deploy(eth::TxSender& s, const char* name,
                        const std::vector<eth::AbiValue>& args) {
    json a = json::parse(artifact(name));
    eth::ContractAbi abi = eth::ContractAbi::parse(a.dump());
    eth::TxRequest r;
    r.data = abi.encode_deploy(eth::from_hex(a["bytecode"].get<std::string>()), args);
    r.key = std::string("deploy/") + name;
    eth::Receipt rc = s.send(r);
    if (!rc.success || !rc.contract_address)
      throw std::runtime_error(std::string("deploy failed: ") + name);
    return *rc.contract_address;
  }

  void SetUp() override {
    ASSERT_TRUE(contracts::find_artifact("Marketplace") && contracts::find_artifact("TestToken") &&
                contracts::find_artifact("TestVerifier"))
        << "contract artifacts not embedded";
    std::string tmpl = (std::filesystem::temp_directory_path() / "market_XXXXXX").string();
    dir_ = mkdtemp(tmpl.data());
    rpc_ = std::make_unique<eth::HttpRpcClient>(eth::HttpRpcOptions{anvil_.url()});
    eth_ = std::make_unique<eth::EthClient>(*rpc_);
    db_ = base::sqlite::Database::open(dir_ / "agent.db");
    eth::TxOptions o;
    o.poll_interval = std::chrono::milliseconds(10);
    for (int i = 0; i < 3; ++i) {
      keys_.push_back(
          std::make_unique<eth::PrivateKey>(eth::PrivateKey::from_hex(test::kDevKeys[i])));
      senders_.push_back(std::make_unique<eth::TxSender>(*eth_, *keys_.back(), *db_, o));
    }
    anvil_.rpc("anvil_mine", json::array({"0x101"}));  // block.number must exceed 256 (§5.5)
    auto& deployer = *senders_[0];
    token_ = deploy(deployer, "TestToken", {});
    token_abi_ = std::make_unique<eth::ContractAbi>(eth::ContractAbi::parse(artifact("TestToken")));
    for (int who : {1, 2}) {
      eth::TxRequest mint;
      mint.to = token_;
      mint.data = token_abi_->encode_call(
          "mint", {keys_[who]->address(), Uint256::from_string("1000000000000000")});
      mint.key = "mint/" + std::to_string(who);
      deployer.send(mint);
    }
    Address verifier = deploy(deployer, "TestVerifier", {});
    MarketplaceConfig cfg;
    market_address_ = deploy(deployer, "Marketplace", {to_abi(cfg), token_, verifier});
  }
  void TearDown() override {
    senders_.clear();
    db_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }
  void approve(int who, const Uint256& amount) {
    eth::TxRequest r;
    r.to = token_;
    r.data = token_abi_->encode_call("approve", {market_address_, amount});
    r.key = "approve/" + std::to_string(++approvals_);
    ASSERT_TRUE(senders_[who]->send(r).success);
  }
  Marketplace market(int who) { return Marketplace(*eth_, market_address_, senders_[who].get()); }

  test::Anvil anvil_;
  std::filesystem::path dir_;
  std::unique_ptr<eth::HttpRpcClient> rpc_;
  std::unique_ptr<eth::EthClient> eth_;
  std::unique_ptr<base::sqlite::Database> db_;
  std::vector<std::unique_ptr<eth::PrivateKey>> keys_;
  std::vector<std::unique_ptr<eth::TxSender>> senders_;
  std::unique_ptr<eth::ContractAbi> token_abi_;
  Address token_, market_address_;
  int approvals_ = 0;
};

TEST_F(MarketChain, RequestReserveFillWithEventsViewsAndErrors) {
  Marketplace client = market(1), host = market(2);
  EXPECT_EQ(client.token(), token_);
  EXPECT_EQ(client.configuration().proofs.period, 120u);

  Request req = vector_request();
  req.client = keys_[1]->address();
  approve(1, max_price(req.ask));
  eth::Receipt rr = client.request_storage(req);
  const RequestId id = request_id(req);
  std::optional<StorageRequested> sr;
  for (const auto& l : rr.logs)
    if (auto e = decode_event(client.abi(), l))
      if (auto* p = std::get_if<StorageRequested>(&e->event)) sr = *p;
  ASSERT_TRUE(sr) << "StorageRequested emitted";
  EXPECT_EQ(sr->request_id, id) << "requestId computed locally equals the event's";
  EXPECT_EQ(sr->ask, req.ask);
  EXPECT_EQ(sr->expires_at, eth_->block(eth::BlockTag::at(rr.block_number)).timestamp + req.expiry);
  EXPECT_EQ(client.get_request(id), req);
  EXPECT_EQ(client.request_state(id), RequestState::New);
  EXPECT_EQ(client.my_requests(keys_[1]->address()), std::vector<RequestId>{id});

  // The event watcher sees the same StorageRequested, typed.
  std::vector<DecodedEvent> seen;
  EventWatcher watcher(*eth_, *db_, client, "market", 0);
  auto collect = [&](const DecodedEvent& e, base::sqlite::WriteTxn* txn) {
    EXPECT_NE(txn, nullptr) << "delivered inside the position's transaction";
    seen.push_back(e);
  };
  EXPECT_EQ(watcher.poll(collect), 1u);
  ASSERT_EQ(seen.size(), 1u);
  ASSERT_TRUE(std::holds_alternative<StorageRequested>(seen[0].event));
  EXPECT_EQ(std::get<StorageRequested>(seen[0].event).request_id, id);

  const SlotId slot0 = slot_id(id, 0);
  EXPECT_TRUE(host.can_reserve_slot(id, 0, keys_[2]->address()));
  host.reserve_slot(id, 0);
  approve(2, collateral_per_slot(req.ask));
  Groth16Proof proof{{Uint256(1), Uint256(2)},
                     {{Uint256(3), Uint256(4)}, {Uint256(5), Uint256(6)}},
                     {Uint256(7), Uint256(8)}};
  eth::Receipt fr = host.fill_slot(id, 0, proof);
  bool filled = false;
  for (const auto& l : fr.logs)
    if (auto e = decode_event(host.abi(), l))
      if (auto* p = std::get_if<SlotFilled>(&e->event))
        filled = p->request_id == id && p->slot_index == 0;
  EXPECT_TRUE(filled);
  EXPECT_EQ(host.slot_state(slot0), SlotState::Filled);
  EXPECT_EQ(host.get_host(slot0), keys_[2]->address());
  EXPECT_EQ(host.current_collateral(slot0), collateral_per_slot(req.ask));
  EXPECT_EQ(host.my_slots(keys_[2]->address()), std::vector<SlotId>{slot0});
  watcher.poll(collect);
  ASSERT_GE(seen.size(), 3u);  // + ProofSubmitted (the fill proof) and SlotFilled
  EXPECT_TRUE(std::holds_alternative<SlotFilled>(seen.back().event));

  // The same intent again is the same transaction (exactly once), not a revert.
  EXPECT_EQ(host.fill_slot(id, 0, proof).transaction_hash, fr.transaction_hash);
  // Custom errors by name, from gas estimation and from views: a second fill
  // under another key is a new intent, which the contract refuses.
  try {
    host.fill_slot(id, 0, proof, "fill/again");
    FAIL();
  } catch (const MarketError& e) {
    EXPECT_EQ(e.name(), "Marketplace_SlotNotFree");
  }
  Request bad = req;
  bad.nonce.fill(0x33);
  bad.expiry = 0;
  try {
    client.request_storage(bad);
    FAIL();
  } catch (const MarketError& e) {
    EXPECT_EQ(e.name(), "Marketplace_InvalidExpiry");
  }
  EXPECT_FALSE(client.get_request(request_id(bad))) << "getRequest's revert answers: unknown";
  try {
    client.request_state(request_id(bad));
    FAIL();
  } catch (const MarketError& e) {
    EXPECT_EQ(e.name(), "Marketplace_UnknownRequest");
    EXPECT_EQ(e.function(), "requestState");
  }
  EXPECT_EQ(host.can_mark_proof_as_missing(slot0, 0, keys_[0]->address()),
            "Proofs_ValidationTimedOut");
}

}  // namespace
}  // namespace codex::market
