// The marketplace end to end on anvil with real proofs (issue: negotiation):
// a client node and three provider nodes, each its own process; the client
// uploads a file and requests storage; the providers fetch their slots from
// the client over the block exchange, build them, prove them with a
// development key of a small storage circuit (the on-chain Groth16 verifier
// holds its verification key) and fill them; the request starts and the
// providers submit periodic proofs that the verifier accepts. One provider
// sends every second proof invalid (rejected and reported); one is killed
// with SIGKILL while proving and goes on proving after its restart.
#include <gtest/gtest.h>
#include <httplib.h>
#include <sys/stat.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "agent/market/chain_market.h"
#include "agent/node/circuit_dir.h"
#include "base/hex.h"
#include "prover/formats/r1cs_file.h"
#include "prover/groth16/setup.h"
#include "prover/groth16/snarkjs_json.h"
#include "prover/groth16/zkey_file.h"
#include "tests/agent/support/agent_node.h"
#include "tests/agent/support/chain_node.h"
#include "tests/agent/support/market_env.h"
#include "tests/agent/support/market_model_world.h"
#include "tests/support/require_tool.h"
#include "tests/support/temp_dir.h"

namespace codex::agent {
namespace {

using json = nlohmann::json;
using test::AgentNode;
using test::http;

const std::string kBase = "/api/codex/v1";

// 64 KiB blocks of 2 KiB cells, at most 4 slots of 2^8 cells, 2 samples.
prover::circuit::StorageParams small_circuit() {
  prover::circuit::StorageParams p;
  p.max_depth = 8;
  p.max_log2_nslots = 2;
  p.block_tree_depth = 5;
  p.n_field_elems_per_cell = 67;
  p.n_samples = 2;
  return p;
}

// Writes circuit.json and proof_main.zkey into dir; returns the
// verification key as snarkjs JSON.
std::string make_circuit_dir(const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  const auto p = small_circuit();
  auto cb = prover::circuit::build_storage_shape(p);
  prover::formats::R1cs r1cs;
  r1cs.header = prover::formats::r1cs_header_of(cb, uint32_t(p.num_private_inputs()));
  r1cs.constraints = cb.constraints();
  auto keys = prover::groth16::dev_setup(r1cs, "marketplace-e2e");
  prover::groth16::write_zkey((dir / "proof_main.zkey").string(), keys.pk);
  write_circuit_params(dir, p);
  return prover::groth16::verification_key_to_json(keys.vk);
}

TEST(MarketplaceE2e, ClientAndThreeProvidersFillProveAndStart) {
  CODEX_REQUIRE_TOOL(codex::testing::executable(test::anvil_binary()),
                     "anvil at " << test::anvil_binary());
  codex::testing::TempDir tmp("market_e2e");
  const auto circuits = tmp.path() / "circuits";
  market::DeploymentPlan plan;
  plan.config = test::devnet_config();  // 10 s periods
  plan.verification_key_json = make_circuit_dir(circuits);
  test::MarketEnv env(plan);

  AgentNode client(tmp.path() / "client", test::chain_args(env, tmp.path(), 1));
  auto cc = http(client);
  const std::string spr = json::parse(cc.Get(kBase + "/spr")->body)["spr"];
  std::vector<std::unique_ptr<AgentNode>> providers;
  for (int a : {2, 3, 4}) {
    auto args = test::chain_args(env, tmp.path(), a);
    for (const char* x : {"--prover", "--circuit-dir"})
      args.push_back(x);
    args.push_back(circuits.string());
    args.push_back("--bootstrap-node");
    args.push_back(spr);
    if (a == 4) {  // every second required proof of this one is sent invalid
      args.push_back("--simulate-proof-failures");
      args.push_back("2");
    }
    providers.push_back(
        std::make_unique<AgentNode>(tmp.path() / ("provider" + std::to_string(a)), args));
  }

  std::string data(5 * 65536 - 333, '\0');
  std::mt19937_64 rng(21);
  for (auto& b : data)
    b = char(rng());
  auto up = cc.Post(kBase + "/data", data, "application/octet-stream");
  ASSERT_TRUE(up && up->status == 200);
  auto req = cc.Post(kBase + "/storage/request/" + up->body,
                     R"({"duration": 300, "proofProbability": "1", "pricePerBytePerSecond": "1",
                         "collateralPerByte": "1", "expiry": 120, "nodes": 3, "tolerance": 1})",
                     "application/json");
  ASSERT_TRUE(req && req->status == 200) << (req ? req->body : "no answer");
  const std::string id = req->body;
  // Each provider has room for one slot: one slot each.
  const uint64_t slot_size =
      json::parse(cc.Get(kBase + "/storage/purchases/" + id)->body)["request"]["ask"]["slotSize"];
  for (auto& p : providers) {
    const json offer = {{"totalSize", slot_size},
                        {"duration", 10000},
                        {"minPricePerBytePerSecond", "1"},
                        {"totalCollateral", "1000000000000"}};
    auto r = http(*p).Post(kBase + "/sales/availability", offer.dump(), "application/json");
    ASSERT_TRUE(r && r->status == 201) << (r ? r->body : "no answer");
  }

  std::string state;
  for (int i = 0; i < 1200 && state != "started"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    auto p = cc.Get(kBase + "/storage/purchases/" + id);
    if (p && p->status == 200) state = json::parse(p->body)["state"];
  }
  if (state != "started") {
    for (const char* name : {"client", "provider2", "provider3", "provider4"}) {
      std::ifstream log(tmp.path() / (std::string(name) + ".log"));
      std::vector<std::string> lines;
      for (std::string l; std::getline(log, l);)
        lines.push_back(l);
      std::string tail;
      for (size_t i = lines.size() > 25 ? lines.size() - 25 : 0; i < lines.size(); ++i)
        tail += lines[i] + "\n";
      ADD_FAILURE() << name << ".log:\n" << tail;
    }
  }
  ASSERT_EQ(state, "started") << "the request did not start";

  // Every provider holds one slot; the chain has a proof of each fill.
  size_t slots = 0;
  for (auto& p : providers) {
    auto pc = http(*p);
    const json mine = json::parse(pc.Get(kBase + "/sales/slots")->body);
    slots += mine.size();
  }
  EXPECT_EQ(slots, 3u);

  // Proofs arrive and the verifier accepts them (a rejected proof reverts:
  // no ProofSubmitted): the three fills and periodic ones after the start.
  auto watcher = env.chain_market(0);
  auto events = watcher->events("e2e");
  size_t proofs = 0, filled = 0;
  for (int i = 0; i < 600 && proofs < 5; ++i) {
    events->poll([&](const market::DecodedEvent& e, base::sqlite::WriteTxn*) {
      proofs += std::holds_alternative<market::ProofSubmitted>(e.event) ? 1 : 0;
      filled += std::holds_alternative<market::SlotFilled>(e.event) ? 1 : 0;
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(filled, 3u);
  EXPECT_GE(proofs, 5u) << "periodic proofs after the three fills";

  // The provider simulating failures reports its invalid proofs as rejected.
  const auto log4 = tmp.path() / "provider4.log";
  auto rejected = [&] {
    std::ifstream in(log4);
    for (std::string l; std::getline(in, l);)
      if (l.find("simulated proof failure") != std::string::npos &&
          l.find("Proofs_InvalidProof") != std::string::npos)
        return true;
    return false;
  };
  for (int i = 0; i < 300 && !rejected(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_TRUE(rejected()) << "an invalid proof rejected by the verifier and reported";

  // A provider killed with SIGKILL while proving and started again goes on
  // proving its slot (from its database: nothing to catch up from events).
  AgentNode& p3 = *providers[1];
  const json slots3 = json::parse(http(p3).Get(kBase + "/sales/slots")->body);
  ASSERT_EQ(slots3.size(), 1u);
  market::SlotId slot3;
  base::from_hex_exact(slots3[0]["id"].get<std::string>(), slot3);
  p3.stop(SIGKILL);
  events->poll([](const market::DecodedEvent&, base::sqlite::WriteTxn*) {});  // up to now
  p3.start();
  size_t after_restart = 0;
  for (int i = 0; i < 600 && after_restart < 2; ++i) {
    events->poll([&](const market::DecodedEvent& e, base::sqlite::WriteTxn*) {
      if (const auto* ps = std::get_if<market::ProofSubmitted>(&e.event))
        after_restart += ps->slot_id == slot3 ? 1 : 0;
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_GE(after_restart, 2u) << "the restarted provider proves again";
  EXPECT_EQ(json::parse(http(p3).Get(kBase + "/sales/slots")->body), slots3) << "still its slot";
  auto sale = http(p3).Get(kBase + "/sales/slots/" + slots3[0]["id"].get<std::string>());
  ASSERT_TRUE(sale && sale->status == 200);
  EXPECT_EQ(json::parse(sale->body)["state"], "SaleProving");
}

}  // namespace
}  // namespace codex::agent
