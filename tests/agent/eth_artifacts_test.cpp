// The chain layer against the compiled contract artifacts (contracts-abi/artifacts):
// every selector, topic and error of the artifact ABIs as the ABI codec computes it
// equals solc's own identifiers, the vectors encode identically through the real
// Marketplace ABI, and the TestToken runs end to end on anvil (deploy, mint,
// balanceOf, Transfer logs, custom-error revert decoding).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "agent/eth/contract_abi.h"
#include "agent/eth/http_rpc_client.h"
#include "agent/eth/log_watcher.h"
#include "agent/eth/revert.h"
#include "agent/eth/rpc_error.h"
#include "agent/eth/tx_sender.h"
#include "base/sqlite/database.h"
#include "tests/agent/support/anvil.h"

namespace codex::eth {
namespace {

using nlohmann::json;

std::string read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string artifact_path(const std::string& name) {
  return std::string(CODEX_SOURCE_DIR) + "/contracts-abi/artifacts/" + name + ".json";
}

bool have(const std::string& name) {
  return std::filesystem::exists(artifact_path(name));
}

json artifact(const std::string& name) {
  return json::parse(read(artifact_path(name)));
}

TEST(Artifacts, SelectorsTopicsAndErrorsMatchSolc) {
  for (const char* name :
       {"Marketplace", "TestMarketplace", "TestToken", "Groth16Verifier", "TestVerifier"}) {
    ASSERT_TRUE(have(name)) << "artifact " << name << " not built";
    json a = artifact(name);
    ContractAbi abi = ContractAbi::parse(a.dump());
    size_t checked = 0;
    for (auto& [sig, sel] : a["methodIdentifiers"].items()) {
      EXPECT_EQ(to_hex(abi.function(sig).selector, false), sel.get<std::string>())
          << name << " " << sig;
      ++checked;
    }
    EXPECT_EQ(checked, abi.functions().size()) << name;
    if (a.contains("events")) {
      for (auto& [sig, topic] : a["events"].items())
        EXPECT_EQ(to_hex(abi.event(sig).topic0), topic.get<std::string>()) << sig;
    }
    if (a.contains("errors")) {
      for (auto& [sig, sel] : a["errors"].items()) {
        Selector s = selector_of(sig);
        ASSERT_NE(abi.error_by_selector(s), nullptr) << sig;
        EXPECT_EQ(abi.error_by_selector(s)->signature, sig);
        EXPECT_EQ(to_hex(s), sel.get<std::string>());
      }
    }
  }
}

TEST(Artifacts, MarketplaceAbiReproducesTheVectors) {
  ASSERT_TRUE(have("Marketplace")) << "artifact not built";
  ContractAbi abi = ContractAbi::parse(read(artifact_path("Marketplace")));
  json v = json::parse(read(std::string(CODEX_SOURCE_DIR) + "/tests/data/codex-abi-vectors.json"));
  // getRequest's return decodes through the artifact ABI and re-encodes as requestStorage calldata.
  auto out =
      abi.decode_output("getRequest", from_hex(v["getRequestReturnData"].get<std::string>()));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(to_hex(abi.encode_call("requestStorage", {out[0]})),
            v["calldata"]["requestStorage"].get<std::string>());
  Bytes slot0 = from_hex(v["slotIds"][0].get<std::string>());
  EXPECT_EQ(to_hex(abi.encode_call("markProofAsMissing", {slot0, uint64_t{12345}})),
            v["calldata"]["markProofAsMissing"].get<std::string>());
  auto cfg =
      abi.decode_output("configuration", from_hex(v["configurationReturnData"].get<std::string>()));
  EXPECT_EQ(cfg.at(0)[1][4].as_string(),
            "65dfa139e1c6dae5f50102cca2a856b759723c6ec6029343c2c6e926b855a6ca");
  EXPECT_EQ(abi.errors().size(), 37u) << "spec §7 lists 37 marketplace errors";
}

TEST(Artifacts, TestTokenEndToEndOnAnvil) {
  ASSERT_TRUE(have("TestToken")) << "artifact not built";
  json a = artifact("TestToken");
  ContractAbi token = ContractAbi::parse(a.dump());
  test::Anvil anvil;
  HttpRpcClient rpc(HttpRpcOptions{anvil.url()});
  EthClient eth(rpc);
  std::string tmpl = (std::filesystem::temp_directory_path() / "eth_art_XXXXXX").string();
  std::filesystem::path dir = mkdtemp(tmpl.data());
  {
    auto db = base::sqlite::Database::open(dir / "agent.db");
    PrivateKey key = PrivateKey::from_hex(test::kDevKeys[0]);
    TxOptions o;
    o.poll_interval = std::chrono::milliseconds(20);
    TxSender sender(eth, key, *db, o);

    TxRequest deploy;
    deploy.data = from_hex(a["bytecode"].get<std::string>());
    deploy.key = "deploy/TestToken";
    Receipt dr = sender.send(deploy);
    ASSERT_TRUE(dr.success);
    ASSERT_TRUE(dr.contract_address);
    Address addr = *dr.contract_address;

    Address holder = Address::parse("0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
    TxRequest mint;
    mint.to = addr;
    mint.data = token.encode_call("mint", {holder, Uint256::from_string("1000000000000000")});
    mint.key = "mint/holder";
    Receipt mr = sender.send(mint);
    ASSERT_TRUE(mr.success);
    ASSERT_EQ(mr.logs.size(), 1u);
    auto ev = token.decode_log(mr.logs[0].topics, mr.logs[0].data);
    ASSERT_TRUE(ev);
    EXPECT_EQ(ev->event->name, "Transfer");
    EXPECT_TRUE((*ev)["from"].as_address().is_zero());
    EXPECT_EQ((*ev)["to"].as_address(), holder);

    CallRequest bal;
    bal.to = addr;
    bal.data = token.encode_call("balanceOf", {holder});
    EXPECT_EQ(token.decode_output("balanceOf", eth.call(bal)).at(0).as_uint(),
              Uint256::from_string("1000000000000000"));

    // A transfer beyond the balance reverts with ERC20InsufficientBalance and its arguments.
    CallRequest over;
    over.from = key.address();
    over.to = addr;
    over.data = token.encode_call("transfer", {holder, uint64_t{1}});
    try {
      eth.call(over);
      FAIL() << "expected a revert";
    } catch (const RpcError& e) {
      auto d = decode_revert(e.revert_data(), {&token});
      EXPECT_EQ(d.name, "ERC20InsufficientBalance");
      ASSERT_EQ(d.args.size(), 3u);
      EXPECT_EQ(d.args[2].as_uint(), Uint256(1));
    }

    // The log watcher sees the mint's Transfer.
    LogWatcherOptions wo;
    wo.name = "token";
    wo.filter.addresses = {addr};
    wo.filter.topics = {{token.event("Transfer").topic0}};
    int transfers = 0;
    LogWatcher w(eth, *db, wo);
    w.poll([&](const Log& l, base::sqlite::WriteTxn&) {
      transfers += token.decode_log(l.topics, l.data).has_value();
    });
    EXPECT_EQ(transfers, 1);
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace codex::eth
