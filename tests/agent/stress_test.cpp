// `codex-agent stress` as a user runs it: a short run CI can afford (five
// providers, a validator, four requests, a provider killed and restarted and
// one killed for good, a window of JSON-RPC faults) that ends by itself with
// every invariant checked,
// every dataset downloaded and compared and a report whose numbers agree
// with each other; and its bad options, refused before anything starts.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

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

std::vector<std::string> words(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> out;
  for (std::string w; in >> w;)
    out.push_back(w);
  return out;
}

TEST(Stress, AShortRunWithFaultsKeepsEveryInvariant) {
  CODEX_REQUIRE_TOOL(testing::executable(test::anvil_binary()),
                     "anvil at " << test::anvil_binary());
  testing::TempDir tmp("stress_run");
  const fs::path dir = tmp.path() / "net";
  const fs::path report_file = tmp.path() / "report.json";
  // One slot's room per provider: a provider proves every slot it reserved
  // at once, and two cores cannot prove many in a period.
  std::vector<std::string> args = words(
      "stress --providers 5 --validators 1 --requests 4 --duration 80 --request-duration 60-80 "
      "--file-size 64KiB-256KiB --proof-probability 2-3 --slots-per-provider 1 --kill-restart 1 "
      "--kill-forever 1 --bad-proofs 0 --rpc-faults 1 --full-disks 0 --max-pending 0 --seed 7");
  for (const std::string& a :
       {std::string("--data-dir"), dir.string(), std::string("--json"), report_file.string()})
    args.push_back(a);
  const Outcome o = test::run_agent(tmp.path(), args, std::chrono::seconds(420));
  ASSERT_NE(o.status, -1) << "the run did not stop by itself:\n" << o.output;
  EXPECT_EQ(exit_code(o.status), 0) << "wait status " << o.status << "\n" << o.output;
  EXPECT_TRUE(processes_mentioning(dir.string()).empty()) << "a process outlived the run";

  const json r = json::parse(read_file(report_file));
  EXPECT_EQ(r, json::parse(read_file(dir / "report.json")));
  EXPECT_TRUE(r["ok"].get<bool>()) << r["violations"].dump(2);
  EXPECT_TRUE(r["violations"].empty());
  ASSERT_EQ(r["invariants"].size(), 8u);
  for (const json& c : r["invariants"])
    EXPECT_TRUE(c["ok"].get<bool>()) << c.dump(2);

  // Every request posted reached an end the contract allows.
  const json& q = r["requests"];
  EXPECT_EQ(q["planned"], 4);
  EXPECT_EQ(q["posted"], 4);
  EXPECT_EQ(q["finished"].get<int>() + q["failed"].get<int>() + q["cancelled"].get<int>(), 4);
  EXPECT_GE(q["started"].get<int>(), q["finished"].get<int>() + q["failed"].get<int>());
  // The run did real work. Each provider has room for one slot, so one
  // request runs at a time and the later ones may expire unfilled. Requests
  // of 60-80 s have expiries of 50-70 s: room for a slow machine to fill the
  // first (about 20 s here; a CI run with
  // expiries of 30-50 s probably saw none started).
  EXPECT_GE(q["started"].get<int>(), 1) << q.dump();
  EXPECT_GE(r["proofs"]["submitted"].get<uint64_t>(), 1u) << r["proofs"].dump();

  // Every dataset whose request did not fail came back, byte for byte.
  uint64_t uploaded = 0, expected_down = 0;
  size_t datasets = 0;
  for (const json& d : r["requestsDetail"]) {
    uploaded += d["fileSize"].get<uint64_t>();
    if (d["state"] != "failed") {
      expected_down += d["fileSize"].get<uint64_t>();
      ++datasets;
    }
  }
  EXPECT_EQ(r["bytesUploaded"].get<uint64_t>(), uploaded);
  EXPECT_EQ(r["bytesDownloaded"].get<uint64_t>(), expected_down);
  EXPECT_EQ(r["datasetsDownloaded"].get<size_t>(), datasets);

  // The chain's figures agree with the journals' and the per-provider rows.
  uint64_t fills = 0, repairs = 0, proofs = 0, lost = 0;
  for (const json& p : r["providers"]) {
    fills += p["fills"].get<uint64_t>();
    repairs += p["repairs"].get<uint64_t>();
    proofs += p["proofs"].get<uint64_t>();
    lost += p["slotsLost"].get<uint64_t>();
  }
  EXPECT_EQ(r["providers"].size(), 5u);
  EXPECT_EQ(repairs, r["repairs"].get<uint64_t>());
  EXPECT_EQ(lost, r["slotsFreed"].get<uint64_t>());
  EXPECT_EQ(proofs, r["proofs"]["submitted"].get<uint64_t>());
  EXPECT_EQ(r["proofs"]["submittedByJournals"], r["proofs"]["submitted"]);
  EXPECT_EQ(r["slashes"], r["proofs"]["markedMissing"]);
  // Every miss the contract would let be marked was marked in its window or
  // could not be judged (the invariant above holds); the checks ran in the
  // periods slots were filled.
  const json& p = r["proofs"];
  EXPECT_EQ(p["missedMarkedInWindow"].get<uint64_t>() + p["missedNotJudged"].get<uint64_t>(),
            p["missedMarkable"].get<uint64_t>())
      << p.dump();
  EXPECT_GE(p["markedMissing"].get<uint64_t>(), p["missedMarkedInWindow"].get<uint64_t>());
  if (fills > 0) EXPECT_GE(p["periodsChecked"].get<uint64_t>(), 1u) << p.dump();
  // Every host's store was read back: at its restart and at the end.
  EXPECT_GE(r["hostedSlotsChecked"].get<uint64_t>(), fills + repairs - lost) << r.dump(2);
  // The RPC fault window failed some of the nodes' requests.
  EXPECT_GT(r["rpc"]["refused"].get<uint64_t>() + r["rpc"]["answersLost"].get<uint64_t>(), 0u);
  EXPECT_GE(fills, 3u);
  EXPECT_LE(r["transactions"]["onChain"].get<uint64_t>(),
            r["transactions"]["journaled"].get<uint64_t>());

  // The three faults were injected as planned.
  ASSERT_EQ(r["faults"].size(), 3u);
  for (const json& f : r["faults"]) {
    EXPECT_NE(f["outcome"].get<std::string>(), "") << f.dump();
    EXPECT_GE(f["injectedAt"].get<double>(), f["plannedAt"].get<double>());
  }
  EXPECT_NE(o.output.find("every invariant held"), std::string::npos) << o.output;
}

TEST(Stress, BadOptionsAreClearErrorsBeforeAnythingStarts) {
  testing::TempDir tmp("stress_bad");
  auto expect_error = [&](std::vector<std::string> args, const std::string& message) {
    args.insert(args.begin(), "stress");
    const Outcome o = test::run_agent(tmp.path(), args);
    EXPECT_NE(exit_code(o.status), 0) << o.output;
    EXPECT_NE(o.output.find(message), std::string::npos) << o.output;
    EXPECT_EQ(o.output.find("terminate called"), std::string::npos) << o.output;
    EXPECT_EQ(o.output.find("stress run in"), std::string::npos) << o.output;  // nothing started
  };
  expect_error({"--providers", "2"}, "--providers");
  expect_error({"--providers", "x"}, "--providers");
  expect_error({"--validators", "9"}, "--validators");
  expect_error({"--requests", "0"}, "--requests");
  expect_error({"--duration", "10"}, "--duration");
  expect_error({"--providers", "5", "--kill-forever", "2", "--bad-proofs", "1"},
               "at least 3 healthy providers");
  expect_error(
      {"--providers", "5", "--kill-forever", "0", "--bad-proofs", "0", "--full-disks", "3"},
      "--full-disks");
  expect_error({"--validators", "0", "--kill-forever", "1"}, "need a validator");
  expect_error({"--rpc-fault-rate", "1.5"}, "--rpc-fault-rate");
  expect_error({"--rpc-faults", "x"}, "--rpc-faults");
  expect_error({"--full-disk-size", "-3"}, "--full-disk-size");
  expect_error({"--file-size", "1MiB-64KiB"}, "--file-size");
  expect_error({"--file-size", "lots"}, "--file-size");
  expect_error({"--request-duration", "10-20"}, "request durations");
  expect_error({"--proof-probability", "0-3"}, "proof probabilities");
  expect_error({"--seed", "-1"}, "--seed");
  const fs::path used = tmp.path() / "used";
  fs::create_directories(used);
  std::ofstream(used / "something") << "x";
  expect_error({"--data-dir", used.string()}, "not empty");
  EXPECT_TRUE(fs::exists(used / "something"));  // nothing of the user's touched
}

}  // namespace
}  // namespace codex
