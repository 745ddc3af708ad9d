// The codex-prover program end to end: Poseidon2 subcommands, circuit inputs
// from fake data and from block files, and clear errors for malformed input.
// Skipped when the program has not been built.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "support/shell.h"
#include "tests/support/require_tool.h"

namespace {

namespace fs = std::filesystem;
using Result = codex::prover::test_support::ShellResult;
const std::string& kProgram = codex::prover::test_support::kProverProgram;

Result run(const std::string& args) {
  return codex::prover::test_support::run_shell(kProgram + " " + args);
}

const std::string kTiny =
    std::string(CODEX_SOURCE_DIR) + "/tests/data/zk-inputs/tiny_d8_s4_c128_b512_n2_input.json";
const std::string kTinyArgs =
    " --nslots 3 --slot 1 --nsamples 2 --entropy 1234567 --depth 8 --maxslots 4"
    " --cellsize 128 --blocksize 512 --quiet";

nlohmann::json read_json(const std::string& path) {
  std::ifstream in(path);
  return nlohmann::json::parse(in);
}

class Cli : public ::testing::Test {
 protected:
  void SetUp() override {
    CODEX_REQUIRE_TOOL(codex::testing::executable(kProgram), kProgram << " (not built)");
    dir_ = fs::temp_directory_path() / ("codex-prover-cli-" + std::to_string(getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override {
    if (!dir_.empty()) fs::remove_all(dir_);
  }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  fs::path dir_;
};

TEST_F(Cli, Poseidon2Subcommands) {
  Result r = run("poseidon2 perm 0 1 2");
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.output,
            "21882471761025344482456282050943515707267606647948403374880378562101343146243\n"
            "9030699330013392132529464674294378792132780497765201297316864012141442630280\n"
            "9137931384593657624554037900714196568304064431583163402259937475584578975855\n");
  r = run("poseidon2 hash --bytes ''");
  EXPECT_EQ(r.output,
            "5101758095924000127790537496504070769319625501671400349336709520206095219618\n");
  r = run(
      "poseidon2 hash --bytes 0x0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20");
  EXPECT_EQ(r.output,
            "18348113314775214710745215652772134162141324416943367724940210261595707429438\n");
  r = run("poseidon2 compress 1 2 --key 1");
  EXPECT_EQ(r.output,
            "1200363431219114414119550523646199479423259809629365937886754089111624051137\n");
}

TEST_F(Cli, FakeDataInputAndTheSameFromBlockFiles) {
  Result r = run("input --fake-data --seed 12345 --ncells 16" + kTinyArgs + " --out " +
                 path("a.json") + " --write-blocks " + path("blocks"));
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(read_json(path("a.json")), read_json(kTiny));
  r = run("input --blocks " + path("blocks") + kTinyArgs + " --out " + path("b.json"));
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(read_json(path("b.json")), read_json(kTiny));
  // Changing one block changes the dataset root.
  {
    std::ofstream(path("blocks") + "/5.bin", std::ios::binary | std::ios::trunc)
        << std::string(512, 'x');
  }
  r = run("input --blocks " + path("blocks") + kTinyArgs + " --out " + path("c.json"));
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(read_json(path("c.json"))["dataSetRoot"], read_json(kTiny)["dataSetRoot"]);
}

TEST_F(Cli, MalformedInputsAreRejectedWithClearMessages) {
  struct Bad {
    std::string args, needle;
  };
  const std::string r =
      "21888242871839275222246405745257275088548364400416034343698204186575808495617";
  std::vector<Bad> cases = {
      {"poseidon2 perm 0 1 " + r, "not a canonical"},
      {"poseidon2 perm 0 1 -2", "invalid character"},
      {"poseidon2 hash --bytes 0x123", "odd number of digits"},
      {"poseidon2 hash --bytes zz", "bad digit"},
      {"input --fake-data --nslots 3 --slot 1 --ncells 500 --entropy 1", "not a power of two"},
      {"input --fake-data --nslots 3 --slot 3 --ncells 512 --entropy 1", "out of range"},
      {"input --fake-data --nslots 3 --slot 0 --ncells 512 --entropy " + r, "not a canonical"},
      {"input --fake-data --nslots 300 --slot 0 --ncells 512 --entropy 1", "between 1 and 256"},
      {"input --fake-data --nslots 3 --slot 0 --entropy 1", "needs --ncells"},
      {"input --nslots 3 --slot 0 --ncells 512 --entropy 1", "--fake-data or --blocks"},
      {"input --blocks /nonexistent --nslots 3 --slot 0 --entropy 1", "not found"},
  };
  for (const auto& c : cases) {
    Result res = run(c.args);
    EXPECT_NE(res.status, 0) << c.args;
    EXPECT_NE(res.output.find(c.needle), std::string::npos) << c.args << "\n" << res.output;
  }
}

// CLI11 reads unsigned options with strtoull, which wrapped or clamped these
// silently (issue 11, defect 11: 2^64 became 2^64 - 1, -(2^64 - 1) became 1).
TEST_F(Cli, IntegerOptionsOutOfRangeOrNegativeAreRefused) {
  struct Bad {
    std::string args, needle;
  };
  const std::string fake = "input --fake-data --ncells 16" + kTinyArgs + " --out " + path("x.json");
  std::vector<Bad> cases = {
      {fake + " --seed 18446744073709551616",
       "--seed: 18446744073709551616 is out of range (0 to 18446744073709551615)"},
      {"input --fake-data --ncells 16 --nslots 3 --slot -18446744073709551615 --entropy 1",
       "--slot: -18446744073709551615 is not a non-negative decimal integer"},
      {fake + " --nsamples -18446744073709551614",
       "--nsamples: -18446744073709551614 is not a non-negative decimal integer (1 to 65536)"},
      {fake + " --nsamples 65537", "--nsamples: 65537 is out of range (1 to 65536)"},
      {fake + " --seed -1", "--seed: -1 is not a non-negative decimal integer"},
      {fake + " --threads 4294967296", "--threads: 4294967296 is out of range"},
      {fake + " --depth -1", "--depth: -1 is not a non-negative"},
      {fake + " --maxslots 1e3", "--maxslots: 1e3 is not a non-negative decimal integer"},
      {"poseidon2 compress 1 2 --key -18446744073709551613", "--key: -18446744073709551613"},
      {"r1cs --nsamples -18446744073709551615 --out " + path("c.r1cs"), "--nsamples: -1844"},
      {"r1cs --maxslots 18446744073709551617 --out " + path("c.r1cs"),
       "--maxslots: 18446744073709551617 is out of range"},
      {"setup a.r1cs b.zkey --vk c.json --threads -4294967295", "--threads: -4294967295"},
  };
  for (const auto& c : cases) {
    Result res = run(c.args);
    EXPECT_NE(res.status, 0) << c.args;
    EXPECT_NE(res.output.find(c.needle), std::string::npos) << c.args << "\n" << res.output;
  }
  EXPECT_FALSE(fs::exists(path("x.json")));
  // A leading zero made strtoull read octal (--seed 012345 was 5349): refused.
  Result r = run(fake + " --seed 012345");
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.output.find("--seed: 012345 has a leading zero"), std::string::npos) << r.output;
  // The largest seed is a seed.
  Result ok = run(fake + " --seed 18446744073709551615");
  EXPECT_EQ(ok.status, 0) << ok.output;
}

// --ncells 4294967296 (3 slots) needs about 60 GiB for the trees: refused at
// once instead of running out of memory after a while (issue 11, defect 11).
TEST_F(Cli, DatasetsTooLargeForTheMachineAreRefusedUpFront) {
  const auto t0 = std::chrono::steady_clock::now();
  Result r = run("input --fake-data --nslots 3 --slot 1 --ncells 4294967296 --entropy 1 --quiet");
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_NE(r.output.find("3 slots of 4294967296 cells need 60.0 GiB of memory to build the trees"),
            std::string::npos)
      << r.output;
  EXPECT_LT(secs, 5.0);
  // Beyond 64 bits of bytes (2^63 slots' worth of blocks), no overflow.
  r =
      run("input --fake-data --nslots 4611686018427387904 --slot 0 --ncells 1099511627776 "
          "--maxslots 9223372036854775808 --depth 60 --entropy 1 --quiet");
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_NE(r.output.find("more than 2^64 bytes"), std::string::npos) << r.output;
}

TEST_F(Cli, BlockDirectoryErrors) {
  fs::create_directories(path("blocks"));
  for (int i = 0; i < 6; ++i) {
    std::ofstream(path("blocks") + "/" + std::to_string(i) + ".bin", std::ios::binary)
        << std::string(512, '\0');
  }
  Result ok = run("input --blocks " + path("blocks") + kTinyArgs);
  EXPECT_EQ(ok.status, 0) << ok.output;
  Result r =
      run("input --blocks " + path("blocks") +
          " --nslots 4 --slot 1 --entropy 1 --cellsize 128 --blocksize 512 --maxslots 4 --depth 8");
  EXPECT_NE(r.output.find("not a multiple of the slot count"), std::string::npos) << r.output;
  std::ofstream(path("blocks") + "/2.bin", std::ios::binary | std::ios::trunc)
      << std::string(100, '\0');
  r = run("input --blocks " + path("blocks") + kTinyArgs);
  EXPECT_NE(r.output.find("has 100 bytes"), std::string::npos) << r.output;
  fs::remove(path("blocks") + "/2.bin");
  r = run("input --blocks " + path("blocks") + kTinyArgs);
  EXPECT_NE(r.output.find("lacks block 2.bin"), std::string::npos) << r.output;
  std::ofstream(path("blocks") + "/notes.txt") << "x";
  r = run("input --blocks " + path("blocks") + kTinyArgs);
  EXPECT_NE(r.output.find("unexpected file notes.txt"), std::string::npos) << r.output;
}

}  // namespace
