// `codex-agent devnet` as a user runs it: the whole local marketplace (anvil,
// a client, provider and validator processes, real proofs of the production
// circuit's development key) to the end of a request with a provider killed
// on the way, judged from the chain; its bad inputs; and Ctrl-C stopping
// every process it started.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "agent/sim/simulation.h"
#include "tests/agent/support/agent_run.h"
#include "tests/agent/support/anvil.h"
#include "tests/support/child_process.h"
#include "tests/support/require_tool.h"
#include "tests/support/temp_dir.h"

namespace codex {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using test::exit_code;
using test::Outcome;
using test::processes_mentioning;
using test::read_file;

// The fault run CI makes: everything a plain run checks (the request runs to
// its end, every party's tokens change by exactly the contract's formulas,
// tokens are conserved), plus a host killed for good, two validators (groups
// 0 and 1 of 2) marking its missing proofs until its slot is freed, and a
// spare provider repairing the slot from the other slots' data.
TEST(Devnet, AKilledProviderIsSlashedFreedAndRepairedAndEveryoneIsPaidWhatTheContractSays) {
  CODEX_REQUIRE_TOOL(testing::executable(test::anvil_binary()),
                     "anvil at " << test::anvil_binary());
  testing::TempDir tmp("devnet_run");
  const fs::path dir = tmp.path() / "net";
  const Outcome o =
      test::run_agent(tmp.path(),
                      {"devnet", "--preset", "ci", "--fault", "kill-provider", "--validators", "2",
                       "--duration", "120", "--data-dir", dir.string()},
                      std::chrono::seconds(540));
  ASSERT_EQ(exit_code(o.status), 0) << o.output;
  for (const char* line : {"request started", "killed with SIGKILL", "freed", "repaired slot",
                           "request finished", "OK:"})
    EXPECT_NE(o.output.find(line), std::string::npos) << line << "\n" << o.output;
  const json s = json::parse(read_file(dir / "summary.json"));
  EXPECT_TRUE(s["ok"].get<bool>()) << s.dump(2);
  EXPECT_EQ(s["requestState"], "finished");
  EXPECT_EQ(s["purchaseState"], "finished");
  EXPECT_EQ(s["fault"], "kill-provider");
  ASSERT_EQ(s["freedSlots"].size(), 1u) << s.dump(2);
  const json& freed = s["freedSlots"][0];
  EXPECT_EQ(freed["host"], s["faultVictim"]);
  EXPECT_EQ(freed["repairedBy"], "provider4") << "the spare";
  EXPECT_GE(s["proofsMarkedMissing"].get<int>(), 2) << "maxNumberOfSlashes before the free";
  EXPECT_NE(s["validatorRewards"], "0");
  // client, provider1-3, validator1-2, the spare provider4.
  ASSERT_EQ(s["parties"].size(), 7u);
  for (const json& p : s["parties"]) {
    const std::string name = p["name"];
    if (name.rfind("provider", 0) != 0) continue;
    const auto start = std::stoull(p["tokensStart"].get<std::string>());
    const auto end = std::stoull(p["tokensEnd"].get<std::string>());
    if (name == s["faultVictim"]) {
      EXPECT_LT(end, start) << "the killed host lost its collateral: " << p.dump();
    } else {
      EXPECT_EQ(p["slotsPaid"], 1) << p.dump();
      EXPECT_GT(end, start) << p.dump();
    }
  }
  // Each node had its own config file and log; nothing is left running.
  for (const char* n : {"client", "provider1", "provider4", "validator1", "validator2"}) {
    EXPECT_TRUE(fs::exists(dir / n / "node.toml")) << n;
    EXPECT_NE(read_file(dir / n / "node.log").find("serving the API"), std::string::npos) << n;
  }
  EXPECT_NE(read_file(dir / "provider4" / "node.log").find("repaired"), std::string::npos);
  EXPECT_TRUE(processes_mentioning(dir.string()).empty());

  // The same scenario simulated (agent/sim: the roles on the marketplace
  // model, configs/devnet/ci.toml's request, 10 s periods): the same fills,
  // frees, repairs and finish, and what the marketplace keeps is the same
  // formula of the marks, marks·(S − R) + (C − 2S) − repair bonus.
  sim::SimOptions so;
  so.seed = 1;
  so.seconds = 3600;
  so.providers = 4;
  so.validators = 2;
  so.block_time = 1;
  so.config.proofs.period = 10;
  so.config.proofs.timeout = 5;
  sim::SimOptions::Scenario scenario;
  const uint64_t c = 262144;  // 512 KiB in 3 slots of tolerance 1; collateral 1 per byte
  scenario.ask = {market::Uint256(1), market::Uint256(1), market::Uint256(1), 3, c, 120, 1};
  scenario.expiry = 80;
  scenario.lose_host_of_slot = 0;
  scenario.lose_after_start = 3;
  so.scenario = scenario;
  testing::TempDir sim_dir("devnet_sim");
  const sim::SimReport r = sim::Simulation(so, sim_dir.path() / "net").run();
  int64_t fills = 0, market_keeps = 0;
  for (const json& p : s["parties"]) {
    fills += p["slotsFilled"].get<int64_t>();
    market_keeps -= int64_t(std::stoull(p["tokensEnd"].get<std::string>()) -
                            std::stoull(p["tokensStart"].get<std::string>()));
  }
  const auto keeps = [&](uint64_t marks) {
    const int64_t slash = c / 5, reward = slash / 5, bonus = c / 10;
    return int64_t(marks) * (slash - reward) + (int64_t(c) - 2 * slash) - bonus;
  };
  EXPECT_EQ(int64_t(r.totals.slots_filled), fills) << r.to_json()["totals"].dump();
  EXPECT_EQ(r.totals.slots_freed, s["freedSlots"].size());
  EXPECT_EQ(r.totals.repairs, 1u);
  EXPECT_EQ(r.totals.requests_finished, 1u);
  EXPECT_EQ(r.totals.marks, 2u);
  EXPECT_EQ(std::stoll(r.tokens.marketplace), keeps(r.totals.marks));
  EXPECT_EQ(market_keeps, keeps(s["proofsMarkedMissing"].get<uint64_t>())) << s.dump(2);
}

TEST(Devnet, CtrlCStopsEveryProcessItStarted) {
  CODEX_REQUIRE_TOOL(testing::executable(test::anvil_binary()),
                     "anvil at " << test::anvil_binary());
  testing::TempDir tmp("devnet_int");
  const fs::path dir = tmp.path() / "net";
  const fs::path log = tmp.path() / "out.log";
  test::ChildProcess p(
      {test::agent_program(), "devnet", "--preset", "ci", "--data-dir", dir.string()},
      log.string());
  // Interrupt once the providers run (the chain and four nodes are up).
  const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (read_file(log).find("provider3 up") == std::string::npos &&
         std::chrono::steady_clock::now() < end)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  ASSERT_NE(read_file(log).find("provider3 up"), std::string::npos) << read_file(log);
  EXPECT_GE(processes_mentioning(dir.string()).size(), 5u);  // anvil + 4 nodes
  ::kill(p.pid(), SIGINT);
  const int status = p.wait_exit(std::chrono::seconds(40));
  ASSERT_NE(status, -1) << "devnet did not stop on SIGINT:\n" << read_file(log);
  EXPECT_EQ(exit_code(status), 130) << read_file(log);
  EXPECT_NE(read_file(log).find("interrupted"), std::string::npos);
  EXPECT_TRUE(processes_mentioning(dir.string()).empty());
  // The nodes stopped cleanly (SIGTERM), not killed.
  for (const char* n : {"client", "provider1"})
    EXPECT_NE(read_file(dir / n / "node.log").find("stopp"), std::string::npos)
        << read_file(dir / n / "node.log");
}

TEST(Devnet, BadInputsAreClearErrorsBeforeAnythingStarts) {
  testing::TempDir tmp("devnet_bad");
  auto expect_error = [&](std::vector<std::string> args, const std::string& message) {
    const Outcome o = test::run_agent(tmp.path(), args);
    EXPECT_NE(exit_code(o.status), 0) << o.output;
    EXPECT_NE(o.output.find(message), std::string::npos) << o.output;
    EXPECT_EQ(o.output.find("terminate called"), std::string::npos) << o.output;
  };
  expect_error({"devnet", "--preset", "no-such-preset"}, "no-such-preset");
  const fs::path bad = tmp.path() / "bad.toml";
  std::ofstream(bad) << "providers = 3\n[request]\nnodez = 3\n";
  expect_error({"devnet", "--preset", bad.string()}, "request.nodez: unknown key");
  std::ofstream(bad, std::ios::trunc) << "providers = 3\n[request]\nnodes = 3\ntolerance = 3\n";
  expect_error({"devnet", "--preset", bad.string()}, "request.tolerance");
  std::ofstream(bad, std::ios::trunc) << "providers = 2\n[request]\nnodes = 3\n";
  expect_error({"devnet", "--preset", bad.string()}, "as many providers");
  std::ofstream(bad, std::ios::trunc) << "providers = [\n";
  expect_error({"devnet", "--preset", bad.string()}, "preset " + bad.string());
  std::ofstream(bad, std::ios::trunc) << "[request]\nduration = 60\nexpiry = 60\n";
  expect_error({"devnet", "--preset", bad.string()}, "request.expiry");
  std::ofstream(bad, std::ios::trunc) << "[request]\nprice-per-byte-per-second = \"x1\"\n";
  expect_error({"devnet", "--preset", bad.string()}, "price-per-byte-per-second");
  expect_error({"devnet", "--providers", "0"}, "--providers");
  expect_error({"devnet", "--fault", "meteor"}, "unknown fault 'meteor'");
  expect_error({"devnet", "--fault", "kill-provider", "--validators", "0"}, "needs a validator");
  expect_error({"devnet", "--validators", "9"}, "--validators");
  const fs::path used = tmp.path() / "used";
  fs::create_directories(used);
  std::ofstream(used / "something") << "x";
  expect_error({"devnet", "--data-dir", used.string()}, "not empty");
  EXPECT_TRUE(fs::exists(used / "something"));  // nothing of the user's touched
  expect_error({"devnet", "stop", "--data-dir", tmp.path().string()}, "no devnet kept running");
}

}  // namespace
}  // namespace codex
