// The storage circuit's .r1cs and .wtns files against the pinned snarkjs
// (`snarkjs wtns check`), and the `codex-prover r1cs` / `witness`
// subcommands, on the tiny parameter set SampleAndProve(8, 2, 2, 5, 2).
// The snarkjs test is skipped without node or snarkjs, the CLI test when
// codex-prover has not been built.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "prover/circuit/storage_circuit.h"
#include "prover/formats/r1cs_file.h"
#include "prover/formats/wtns_file.h"
#include "prover/slots/circuit_input.h"
#include "support/shell.h"
#include "tests/support/require_tool.h"

namespace codex::prover::circuit {
namespace {

namespace fs = std::filesystem;
using test_support::kSnarkjs;
using test_support::read_file;
using test_support::tiny_params;
using Result = test_support::ShellResult;
const std::string& kProgram = test_support::kProverProgram;

Result run(const std::string& cmd) {
  return test_support::run_shell(cmd);
}

const std::string kTiny =
    std::string(CODEX_SOURCE_DIR) + "/tests/data/zk-inputs/tiny_d8_s4_c128_b512_n2_input.json";
const std::string kTinyOptions = " --depth 8 --maxslots 4 --blockdepth 2 --cellelems 5";

class CircuitFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("codex-circuit-files-" + std::to_string(getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  // The tiny circuit's .r1cs and the witness of the tiny vector, written by
  // the library.
  void write_tiny(const std::string& r1cs, const std::string& wtns) const {
    const StorageParams p = tiny_params();
    const CircuitBuilder shape = build_storage_shape(p);
    formats::write_r1cs(r1cs, formats::r1cs_header_of(shape, uint32_t(p.num_private_inputs())),
                        shape.constraints());
    const StorageCircuit c =
        build_storage_circuit(p, slots::parse_circuit_json(read_file(kTiny), p.shape()));
    formats::write_wtns(wtns, c.cb.witness());
  }

  fs::path dir_;
};

TEST_F(CircuitFiles, SnarkjsAcceptsOurWitnessAndRejectsATamperedOne) {
  CODEX_REQUIRE_TOOL(fs::exists(kSnarkjs) && codex::testing::node_runs(), "node or " << kSnarkjs);
  write_tiny(path("tiny.r1cs"), path("tiny.wtns"));
  const formats::R1cs r1cs = formats::read_r1cs(path("tiny.r1cs"));
  EXPECT_EQ(r1cs.header.n_constraints, 7854u);
  EXPECT_EQ(r1cs.header.n_public_inputs, 3u);
  EXPECT_EQ(r1cs.header.n_private_inputs, 31u);

  Result ok = run(kSnarkjs + " wtns check " + path("tiny.r1cs") + " " + path("tiny.wtns"));
  EXPECT_EQ(ok.status, 0) << ok.output;
  EXPECT_NE(ok.output.find("WITNESS IS CORRECT"), std::string::npos) << ok.output;

  // One cell element changed (wire 9 = cellData[0][0]).
  std::vector<Fr> w = formats::read_wtns(path("tiny.wtns"));
  w[9] += Fr::one();
  formats::write_wtns(path("bad.wtns"), w);
  Result bad = run(kSnarkjs + " wtns check " + path("tiny.r1cs") + " " + path("bad.wtns"));
  EXPECT_NE(bad.status, 0) << bad.output;
  EXPECT_NE(bad.output.find("WITNESS IS NOT CORRECT"), std::string::npos) << bad.output;
}

TEST_F(CircuitFiles, CliWritesTheSameFilesAndClearErrors) {
  CODEX_REQUIRE_TOOL(codex::testing::executable(kProgram), kProgram << " (not built)");
  write_tiny(path("lib.r1cs"), path("lib.wtns"));

  Result r =
      run(kProgram + " r1cs --nsamples 2" + kTinyOptions + " --quiet --out " + path("cli.r1cs"));
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("constraints 7854\nwires 7879\n"), std::string::npos) << r.output;
  EXPECT_EQ(read_file(path("cli.r1cs")), read_file(path("lib.r1cs")));

  r = run(kProgram + " witness " + kTiny + " " + path("cli.wtns") + kTinyOptions);
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("sampled cells 4 5"), std::string::npos) << r.output;
  EXPECT_EQ(read_file(path("cli.wtns")), read_file(path("lib.wtns")));

  // A tampered cell: the failed check, no file.
  std::string text = read_file(kTiny);
  const std::string cell = "\"cellData\": [\n  [\n   \"";
  text.insert(text.find(cell) + cell.size(), "1");
  std::ofstream(path("bad.json")) << text;
  r = run(kProgram + " witness " + path("bad.json") + " " + path("bad.wtns") + kTinyOptions);
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.output.find("sample 1 (cell 4): cellData and Merkle path do not lead to slotRoot"),
            std::string::npos)
      << r.output;
  EXPECT_FALSE(fs::exists(path("bad.wtns")));

  // Parameters that do not match the input, and bad options.
  r = run(kProgram + " witness " + kTiny + " " + path("x.wtns"));
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.output.find("slotProof: has 2 entries, expected 8"), std::string::npos) << r.output;
  r = run(kProgram + " r1cs --nsamples 2 --maxslots 6 --out " + path("x.r1cs"));
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.output.find("--maxslots 6 must be a power of two"), std::string::npos) << r.output;
  // Refused by the option's validator now (a command-line error, CLI11's status).
  r = run(kProgram + " r1cs --nsamples 0 --out " + path("x.r1cs"));
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.output.find("--nsamples: 0 is out of range (1 to 65536)"), std::string::npos)
      << r.output;
  r = run(kProgram + " r1cs --nsamples 1 --blockdepth 40 --out " + path("x.r1cs"));
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.output.find("blockTreeDepth 40"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace codex::prover::circuit
