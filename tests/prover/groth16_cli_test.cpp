// codex-prover setup / prove / verify / info end to end on a small builder
// circuit: exit statuses (verify: 0 valid, 1 invalid, 2 bad input), the
// development-key warning, and clear errors for damaged files and witnesses
// that do not satisfy the circuit. Skipped when the program is not built.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "groth16_test_circuit.h"
#include "prover/formats/json.h"
#include "prover/formats/r1cs_file.h"
#include "prover/formats/wtns_file.h"
#include "prover/groth16/snarkjs_json.h"
#include "support/shell.h"
#include "tests/support/require_tool.h"

namespace codex::prover {
namespace {

namespace fs = std::filesystem;
using Result = test_support::ShellResult;
const std::string& kProgram = test_support::kProverProgram;

Result run(const std::string& args) {
  return test_support::run_shell(kProgram + " " + args);
}

class Groth16Cli : public ::testing::Test {
 protected:
  void SetUp() override {
    CODEX_REQUIRE_TOOL(codex::testing::executable(kProgram), kProgram << " (not built)");
    dir_ = fs::temp_directory_path() / ("codex-g16cli-" + std::to_string(getpid()));
    fs::create_directories(dir_);
    cb_ = testing::poseidon2_chain_circuit(1);
    formats::write_r1cs(p("c.r1cs"), formats::r1cs_header_of(cb_, 1), cb_.constraints());
    formats::write_wtns(p("c.wtns"), cb_.witness());
  }
  void TearDown() override {
    if (!dir_.empty()) fs::remove_all(dir_);
  }
  std::string p(const std::string& name) const { return (dir_ / name).string(); }

  fs::path dir_;
  circuit::CircuitBuilder cb_;
};

TEST_F(Groth16Cli, SetupProveVerifyInfo) {
  Result s = run("setup " + p("c.r1cs") + " " + p("c.zkey") + " --vk " + p("vk.json") +
                 " --seed abc --threads 2");
  ASSERT_EQ(s.status, 0) << s.output;
  EXPECT_NE(s.output.find("NOT FOR PRODUCTION"), std::string::npos) << s.output;
  Result pr = run("prove " + p("c.zkey") + " " + p("c.wtns") + " " + p("proof.json") + " " +
                  p("public.json"));
  ASSERT_EQ(pr.status, 0) << pr.output;
  Result v = run("verify " + p("vk.json") + " " + p("public.json") + " " + p("proof.json"));
  EXPECT_EQ(v.status, 0) << v.output;
  EXPECT_NE(v.output.find("OK"), std::string::npos);

  // Same seed, same key.
  ASSERT_EQ(run("setup " + p("c.r1cs") + " " + p("c2.zkey") + " --vk " + p("vk2.json") +
                " --seed abc --quiet")
                .status,
            0);
  EXPECT_EQ(formats::read_text_file(p("vk.json")), formats::read_text_file(p("vk2.json")));

  // Invalid: another public input → 1.
  auto pub = groth16::parse_public_json(formats::read_text_file(p("public.json")));
  pub[1] += Fr::one();
  std::ofstream(p("public_bad.json")) << groth16::public_to_json(pub);
  Result bad = run("verify " + p("vk.json") + " " + p("public_bad.json") + " " + p("proof.json"));
  EXPECT_EQ(bad.status, 1) << bad.output;
  EXPECT_NE(bad.output.find("INVALID"), std::string::npos);
  // Malformed input → 2.
  std::ofstream(p("garbage.json")) << "{\"pi_a\": [1, 2]}";
  Result mal = run("verify " + p("vk.json") + " " + p("public.json") + " " + p("garbage.json"));
  EXPECT_EQ(mal.status, 2) << mal.output;
  EXPECT_EQ(run("verify " + p("vk.json") + " " + p("missing.json") + " " + p("proof.json")).status,
            2);
  // Wrong number of public inputs → 2.
  pub.pop_back();
  std::ofstream(p("public_short.json")) << groth16::public_to_json(pub);
  EXPECT_EQ(
      run("verify " + p("vk.json") + " " + p("public_short.json") + " " + p("proof.json")).status,
      2);

  Result iz = run("info " + p("c.zkey") + " --check");
  EXPECT_EQ(iz.status, 0) << iz.output;
  EXPECT_NE(iz.output.find("public signals (nPublic): 3"), std::string::npos) << iz.output;
  EXPECT_NE(iz.output.find("domain size: 256"), std::string::npos) << iz.output;
  Result ir = run("info " + p("c.r1cs"));
  EXPECT_NE(ir.output.find("constraints: " + std::to_string(cb_.num_constraints())),
            std::string::npos)
      << ir.output;
  EXPECT_NE(run("info " + p("c.wtns")).output.find("values: " + std::to_string(cb_.num_wires())),
            std::string::npos);
  EXPECT_NE(run("info " + p("proof.json")).output.find("Groth16 proof"), std::string::npos);
  EXPECT_NE(run("info " + p("vk.json")).output.find("verification key"), std::string::npos);
  EXPECT_NE(run("info " + p("public.json")).output.find("count: 3"), std::string::npos);
}

// A proof.json without "curve", as rapidsnark writes it (issue 11, defect
// 11): verify and info accept it like snarkjs does.
TEST_F(Groth16Cli, VerifyAndInfoAcceptProofWithoutCurve) {
  ASSERT_EQ(run("setup " + p("c.r1cs") + " " + p("c.zkey") + " --vk " + p("vk.json") +
                " --seed abc --quiet")
                .status,
            0);
  ASSERT_EQ(run("prove " + p("c.zkey") + " " + p("c.wtns") + " " + p("proof.json") + " " +
                p("public.json") + " --quiet")
                .status,
            0);
  std::string proof;
  {
    std::ifstream in(p("proof.json"));
    proof.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  const std::string curve = ",\n \"curve\": \"bn128\"";
  const size_t at = proof.find(curve);
  ASSERT_NE(at, std::string::npos) << proof;
  proof.erase(at, curve.size());
  std::ofstream(p("rapidsnark_proof.json")) << proof;
  Result v =
      run("verify " + p("vk.json") + " " + p("public.json") + " " + p("rapidsnark_proof.json"));
  EXPECT_EQ(v.status, 0) << v.output;
  EXPECT_NE(v.output.find("OK"), std::string::npos) << v.output;
  Result i = run("info " + p("rapidsnark_proof.json"));
  EXPECT_EQ(i.status, 0) << i.output;
  EXPECT_NE(i.output.find("Groth16 proof"), std::string::npos) << i.output;
}

TEST_F(Groth16Cli, ClearErrors) {
  ASSERT_EQ(run("setup " + p("c.r1cs") + " " + p("c.zkey") + " --vk " + p("vk.json") +
                " --seed x --quiet")
                .status,
            0);
  // A witness that does not satisfy the circuit: prove refuses.
  auto w = cb_.witness();
  w.back() += Fr::one();
  formats::write_wtns(p("bad.wtns"), w);
  Result r = run("prove " + p("c.zkey") + " " + p("bad.wtns") + " " + p("proof.json") + " " +
                 p("public.json"));
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_NE(r.output.find("does not satisfy"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(p("proof.json")));
  // Truncated zkey.
  fs::copy_file(p("c.zkey"), p("t.zkey"));
  fs::resize_file(p("t.zkey"), fs::file_size(p("t.zkey")) - 100);
  r = run("prove " + p("t.zkey") + " " + p("c.wtns") + " " + p("proof.json") + " " +
          p("public.json"));
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.output.find("t.zkey"), std::string::npos) << r.output;
  // A witness of another circuit.
  auto other = testing::poseidon2_chain_circuit(2);
  formats::write_wtns(p("o.wtns"), other.witness());
  r = run("prove " + p("c.zkey") + " " + p("o.wtns") + " " + p("proof.json") + " " +
          p("public.json"));
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.output.find("expects"), std::string::npos) << r.output;
  // info on something else.
  std::ofstream(p("x.bin")) << "GARBAGE GARBAGE GARBAGE";
  r = run("info " + p("x.bin"));
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.output.find("not an r1cs"), std::string::npos) << r.output;
  r = run("setup " + p("x.bin") + " " + p("y.zkey") + " --vk " + p("y.json"));
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.output.find("wrong magic"), std::string::npos) << r.output;
}

// The storage circuit itself (tiny parameters SampleAndProve(8, 2, 2, 5, 2),
// 7.9k constraints): r1cs → witness → setup → prove → verify.
TEST_F(Groth16Cli, TinyStorageCircuitEndToEnd) {
  const std::string tiny = " --depth 8 --maxslots 4 --blockdepth 2 --cellelems 5";
  const std::string input =
      std::string(CODEX_SOURCE_DIR) + "/tests/data/zk-inputs/tiny_d8_s4_c128_b512_n2_input.json";
  Result r = run("r1cs --nsamples 2 --quiet --out " + p("s.r1cs") + tiny);
  ASSERT_EQ(r.status, 0) << r.output;
  r = run("witness " + input + " " + p("s.wtns") + tiny + " --quiet");
  ASSERT_EQ(r.status, 0) << r.output;
  r = run("setup " + p("s.r1cs") + " " + p("s.zkey") + " --vk " + p("s_vk.json") +
          " --seed tiny --quiet");
  ASSERT_EQ(r.status, 0) << r.output;
  r = run("prove " + p("s.zkey") + " " + p("s.wtns") + " " + p("s_proof.json") + " " +
          p("s_public.json") + " --quiet");
  ASSERT_EQ(r.status, 0) << r.output;
  r = run("verify " + p("s_vk.json") + " " + p("s_public.json") + " " + p("s_proof.json"));
  EXPECT_EQ(r.status, 0) << r.output;
  auto pub = groth16::parse_public_json(formats::read_text_file(p("s_public.json")));
  ASSERT_EQ(pub.size(), 3u);
  EXPECT_EQ(pub[0], Fr::from_u64(1234567));  // entropy
}

}  // namespace
}  // namespace codex::prover
