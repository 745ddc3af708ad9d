// JSON-RPC over HTTP against a real anvil, with a fault-injecting proxy in between,
// reply parsers on bad input, and revert decoding for anvil/hardhat/ganache shapes.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "agent/eth/contract_abi.h"
#include "agent/eth/eth_client.h"
#include "agent/eth/http_rpc_client.h"
#include "agent/eth/revert.h"
#include "agent/eth/rpc_error.h"
#include "tests/agent/support/anvil.h"
#include "tests/agent/support/fault_proxy.h"
#include "tests/agent/support/marketplace_abi.h"
#include "tests/agent/support/test_contract.h"

namespace codex::eth {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

class RpcTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    anvil_ = new test::Anvil();
    emitter_ = test::deploy_emitter(*anvil_);
  }
  static void TearDownTestSuite() {
    delete anvil_;
    anvil_ = nullptr;
  }
  HttpRpcOptions opts(const std::string& url) {
    HttpRpcOptions o;
    o.url = url;
    o.timeout = 500ms;
    o.max_attempts = 3;
    o.backoff_initial = 10ms;
    return o;
  }
  static test::Anvil* anvil_;
  static Address emitter_;
};
test::Anvil* RpcTest::anvil_ = nullptr;
Address RpcTest::emitter_;

TEST_F(RpcTest, TypedCallsAgainstAnvil) {
  HttpRpcClient rpc(opts(anvil_->url()));
  EthClient eth(rpc);
  EXPECT_EQ(eth.chain_id(), 31337u);
  EXPECT_GE(eth.block_number(), 1u);
  EXPECT_GE(eth.balance(Address::parse(test::kDev0)),
            Uint256::from_string("9000000000000000000000"));
  BlockHeader b = eth.block(BlockTag::latest());
  EXPECT_EQ(eth.block(BlockTag::at(b.number)).hash, b.hash);
  EXPECT_TRUE(b.base_fee_per_gas.has_value());
  EXPECT_THROW(eth.block(BlockTag::at(b.number + 1000)), RpcError);
}

TEST_F(RpcTest, BatchKeepsOrderAndPerEntryErrors) {
  HttpRpcClient rpc(opts(anvil_->url()));
  EthClient eth(rpc);
  Selector sel = selector_of("Marketplace_SlotNotFree()");
  std::vector<CallRequest> reqs(5);
  for (auto& r : reqs) {
    r.to = emitter_;
    r.data = Bytes(32, 7);  // logs, returns nothing
  }
  reqs[1].data.assign(sel.begin(), sel.end());  // this one reverts
  reqs[3].data.clear();                         // this one runs out of gas (no revert data)
  auto out = eth.call_batch(reqs);
  ASSERT_EQ(out.size(), 5u);
  EXPECT_TRUE(out[0].output && out[0].output->empty());
  EXPECT_FALSE(out[1].output);
  EXPECT_EQ(out[1].revert_data, Bytes(sel.begin(), sel.end()));
  EXPECT_FALSE(out[3].output);
  EXPECT_TRUE(out[3].error);
  EXPECT_TRUE(out[4].output);
  EXPECT_EQ(rpc.attempts(), 1u);
  EXPECT_TRUE(rpc.batch({}).empty());
}

TEST_F(RpcTest, RetriesDropsGarbageHttpErrorsAndDelays) {
  test::FaultProxy proxy(anvil_->port());
  HttpRpcClient rpc(opts(proxy.url()));
  EthClient eth(rpc);
  for (test::Fault f : {test::Fault::drop(), test::Fault::garbage(), test::Fault::http500(),
                        test::Fault::delayed(1500ms)}) {
    proxy.push(f);
    uint64_t before = rpc.retries();
    EXPECT_EQ(eth.chain_id(), 31337u);
    EXPECT_EQ(rpc.retries(), before + 1);
  }
  // Batches retry the same way.
  proxy.push(test::Fault::drop());
  auto r = rpc.batch({{"eth_chainId", json::array()}, {"eth_blockNumber", json::array()}});
  EXPECT_EQ(result_or_throw("eth_chainId", r[0]), "0x7a69");
}

TEST_F(RpcTest, GivesUpAfterBoundedAttempts) {
  test::FaultProxy proxy(anvil_->port());
  HttpRpcClient rpc(opts(proxy.url()));
  for (int i = 0; i < 3; ++i)
    proxy.push(test::Fault::drop());
  auto t0 = std::chrono::steady_clock::now();
  try {
    rpc.call("eth_chainId", json::array());
    FAIL() << "expected a transport error";
  } catch (const RpcError& e) {
    EXPECT_EQ(e.kind(), RpcErrorKind::Transport);
    EXPECT_TRUE(e.retryable());
  }
  EXPECT_EQ(rpc.attempts(), 3u);
  EXPECT_EQ(rpc.retries(), 2u);
  EXPECT_EQ(rpc.errors(RpcErrorKind::Transport), 1u) << "one call failed, after its retries";
  EXPECT_EQ(rpc.errors(RpcErrorKind::Node), 0u);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 3s);
  // Nothing listening: connection refused is a transport error too.
  HttpRpcOptions o = opts("http://127.0.0.1:" + std::to_string(test::free_port()));
  o.max_attempts = 2;
  HttpRpcClient dead(o);
  EXPECT_THROW(dead.call("eth_chainId", json::array()), RpcError);
  EXPECT_EQ(dead.attempts(), 2u);
}

TEST_F(RpcTest, NodeErrorsAreNotRetried) {
  HttpRpcClient rpc(opts(anvil_->url()));
  try {
    rpc.call("eth_noSuchMethod", json::array());
    FAIL();
  } catch (const RpcError& e) {
    EXPECT_EQ(e.kind(), RpcErrorKind::Node);
    EXPECT_FALSE(e.retryable());
    EXPECT_NE(e.code(), 0);
  }
  EXPECT_EQ(rpc.attempts(), 1u);
  EXPECT_EQ(rpc.errors(RpcErrorKind::Node), 1u);
  EXPECT_EQ(rpc.errors(RpcErrorKind::Transport), 0u);
}

// The revert data of a marketplace custom error arrives in different shapes
// depending on the node (spec §16.1); each must decode to the same error name.
TEST_F(RpcTest, RevertShapesOfAnvilHardhatGanacheDecodeToErrorNames) {
  ContractAbi abi = ContractAbi::parse(test::marketplace_abi_json());
  Selector sel = selector_of("Marketplace_SlotNotFree()");
  std::string sel_hex = to_hex(sel);
  CallRequest req;
  req.to = emitter_;
  req.data.assign(sel.begin(), sel.end());

  auto decoded_name = [&](RpcClient& rpc, bool estimate) {
    EthClient eth(rpc);
    try {
      if (estimate)
        eth.estimate_gas(req);
      else
        eth.call(req);
    } catch (const RpcError& e) {
      EXPECT_EQ(e.kind(), RpcErrorKind::Reverted) << e.what();
      return decode_revert(e.revert_data(), {&abi}).name;
    }
    return std::string("no error");
  };

  HttpRpcClient direct(opts(anvil_->url()));  // real anvil: eth_call and eth_estimateGas
  EXPECT_EQ(decoded_name(direct, false), "Marketplace_SlotNotFree");
  EXPECT_EQ(decoded_name(direct, true), "Marketplace_SlotNotFree");

  test::FaultProxy proxy(anvil_->port());
  HttpRpcClient via(opts(proxy.url()));
  const json shapes[] = {
      {{"code", -32603},
       {"message", "Error: VM Exception"},
       {"data", {{"message", "reverted"}, {"data", sel_hex}}}},  // hardhat
      {{"code", -32000},
       {"message", "VM Exception while processing transaction: revert"},
       {"data", sel_hex}},  // ganache call
      {{"code", -32000},
       {"message", "VM Exception"},
       {"data", {{"result", sel_hex}, {"reason", nullptr}}}},  // ganache estimate
  };
  for (const auto& shape : shapes) {
    proxy.push(test::Fault::error_reply(shape));
    EXPECT_EQ(decoded_name(via, false), "Marketplace_SlotNotFree") << shape.dump();
  }
}

TEST(RevertDecode, BuiltinsUnknownAndMalformed) {
  ContractAbi abi = ContractAbi::parse(test::marketplace_abi_json());
  Bytes err = from_hex("0x08c379a0" + std::string(62, '0') + "20" + std::string(62, '0') + "03" +
                       "616263" + std::string(58, '0'));
  auto d = decode_revert(err, {&abi});
  EXPECT_EQ(d.name, "Error");
  EXPECT_EQ(*d.reason, "abc");
  auto p = decode_revert(from_hex("0x4e487b71" + std::string(62, '0') + "11"), {&abi});
  EXPECT_EQ(p.panic_code, 0x11u);
  EXPECT_EQ(p.describe(), "Panic(0x11)");
  Bytes bal = from_hex("0xe450d38c");
  bal.resize(4 + 96, 0);
  bal[4 + 31 + 64] = 5;
  auto b = decode_revert(bal, {&abi});
  EXPECT_EQ(b.name, "ERC20InsufficientBalance");
  EXPECT_EQ(b.args.at(2).as_uint(), Uint256(5));
  EXPECT_EQ(decode_revert(from_hex("0x12345678"), {&abi}).name, "");
  EXPECT_EQ(decode_revert(Bytes{}, {&abi}).name, "");
  EXPECT_EQ(decode_revert(from_hex("0x08c379a0ffff"), {&abi}).name,
            "Error");  // truncated: name kept, no crash
}

TEST(RpcParsers, RejectMalformedReplies) {
  json good_log = {{"address", "0x5fbdb2315678afecb367f032d93f642f64180aa3"},
                   {"topics", {"0x" + std::string(64, '1')}},
                   {"data", "0x"},
                   {"blockNumber", "0x10"},
                   {"blockHash", "0x" + std::string(64, '2')},
                   {"transactionHash", "0x" + std::string(64, '3')},
                   {"logIndex", "0x0"}};
  EXPECT_EQ(parse_log(good_log).block_number, 16u);
  auto with = [&](const char* k, json v) {
    json j = good_log;
    if (v.is_discarded())
      j.erase(k);
    else
      j[k] = v;
    return j;
  };
  const json bad[] = {
      json(nullptr),
      json("x"),
      with("address", json::value_t::discarded),
      with("address", "0x12"),
      with("topics", "0x"),
      with("topics", json::array({"0x1", "0x2"})),
      with("topics", json::array({"0x" + std::string(64, '1'), "0x" + std::string(64, '1'),
                                  "0x" + std::string(64, '1'), "0x" + std::string(64, '1'),
                                  "0x" + std::string(64, '1')})),
      with("data", "zz"),
      with("blockNumber", 16),
      with("blockNumber", "0x"),
      with("blockNumber", "0x1ffffffffffffffff"),
      with("blockHash", "0x00"),
      with("logIndex", nullptr)};
  for (const auto& j : bad) {
    try {
      parse_log(j);
      ADD_FAILURE() << j.dump();
    } catch (const RpcError& e) {
      EXPECT_EQ(e.kind(), RpcErrorKind::Malformed);
    }
  }
  EXPECT_THROW(parse_receipt(json::object()), RpcError);
  EXPECT_THROW(parse_block(json::array()), RpcError);
  EXPECT_THROW(result_or_throw("m", json::object()), RpcError);
  EXPECT_THROW(result_or_throw("m", json("x")), RpcError);
  EXPECT_EQ(extract_revert_data(json{{"data", {{"0xabc", {{"return", "0x1234"}}}}}}),
            from_hex("0x1234"));
  EXPECT_FALSE(extract_revert_data(json{{"data", "not hex"}}));
  EXPECT_FALSE(extract_revert_data(json(5)));
}

}  // namespace
}  // namespace codex::eth
