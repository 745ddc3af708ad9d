// Cross-checks against the pinned snarkjs (node_modules/.bin/snarkjs; skipped
// when it or node is missing), on a small Poseidon2 circuit:
//   - snarkjs reads our .r1cs and .wtns (`wtns check` accepts them);
//   - snarkjs verifies our proof with our verification_key.json, and rejects
//     a tampered one;
//   - snarkjs proves with our .zkey and our verifier accepts its proof;
//   - `snarkjs zkey export verificationkey` of our .zkey equals our key;
//   - our prover works with a key snarkjs made (powers of tau + groth16 setup).
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "groth16_test_circuit.h"
#include "prover/formats/json.h"
#include "prover/formats/r1cs_file.h"
#include "prover/formats/wtns_file.h"
#include "prover/groth16/prover.h"
#include "prover/groth16/setup.h"
#include "prover/groth16/snarkjs_json.h"
#include "prover/groth16/verifier.h"
#include "prover/groth16/zkey_file.h"
#include "support/shell.h"
#include "tests/support/require_tool.h"

namespace codex::prover::groth16 {
namespace {

namespace fs = std::filesystem;
using prover::test_support::kSnarkjs;
using Exec = prover::test_support::ShellResult;

Exec run(const std::string& cmd) {
  return prover::test_support::run_shell(cmd);
}

void write_text(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
}

class Groth16Snarkjs : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!fs::exists(kSnarkjs) || run("node --version").status != 0) return;
    available_ = true;
    dir_ = new fs::path(fs::temp_directory_path() / ("codex-snarkjs-" + std::to_string(getpid())));
    fs::create_directories(*dir_);
    cb_ = new circuit::CircuitBuilder(testing::poseidon2_chain_circuit(1));
    formats::write_r1cs(path("c.r1cs"), formats::r1cs_header_of(*cb_, 1), cb_->constraints());
    formats::write_wtns(path("c.wtns"), cb_->witness());
    formats::R1cs r1cs{formats::r1cs_header_of(*cb_, 1), cb_->constraints()};
    auto setup = dev_setup(r1cs, "snarkjs-test", 2);
    groth16::write_zkey(path("c.zkey"), setup.pk);
    vk_ = new VerificationKey(setup.vk);
    write_text(path("vk.json"), groth16::verification_key_to_json(setup.vk));
  }
  static void TearDownTestSuite() {
    if (dir_ != nullptr) fs::remove_all(*dir_);
    delete dir_;
    delete cb_;
    delete vk_;
    dir_ = nullptr;
  }
  void SetUp() override { CODEX_REQUIRE_TOOL(available_, "node or " << kSnarkjs); }
  static std::string path(const std::string& name) { return (*dir_ / name).string(); }
  static Exec snarkjs(const std::string& args) { return run(kSnarkjs + " " + args); }

  static inline bool available_ = false;
  static inline fs::path* dir_ = nullptr;
  static inline circuit::CircuitBuilder* cb_ = nullptr;
  static inline VerificationKey* vk_ = nullptr;
};

TEST_F(Groth16Snarkjs, ReadsOurR1csAndWitness) {
  Exec info = snarkjs("r1cs info " + path("c.r1cs"));
  ASSERT_EQ(info.status, 0) << info.output;
  EXPECT_NE(info.output.find("# of Constraints: " + std::to_string(cb_->num_constraints())),
            std::string::npos)
      << info.output;
  EXPECT_NE(info.output.find("# of Public Inputs: 3"), std::string::npos) << info.output;
  Exec check = snarkjs("wtns check " + path("c.r1cs") + " " + path("c.wtns"));
  EXPECT_EQ(check.status, 0) << check.output;
  EXPECT_NE(check.output.find("WITNESS IS CORRECT"), std::string::npos) << check.output;

  // A broken witness is caught by snarkjs as well.
  auto bad = cb_->witness();
  bad.back() += Fr::one();
  formats::write_wtns(path("bad.wtns"), bad);
  EXPECT_NE(snarkjs("wtns check " + path("c.r1cs") + " " + path("bad.wtns")).status, 0);
}

TEST_F(Groth16Snarkjs, VerifiesOurProof) {
  groth16::ZkeyReader zkey(path("c.zkey"));
  auto res = prove(zkey, cb_->witness(), 2);
  write_text(path("proof.json"), groth16::proof_to_json(res.proof));
  write_text(path("public.json"), groth16::public_to_json(res.public_inputs));
  Exec ok = snarkjs("groth16 verify " + path("vk.json") + " " + path("public.json") + " " +
                    path("proof.json"));
  EXPECT_EQ(ok.status, 0) << ok.output;
  EXPECT_NE(ok.output.find("OK"), std::string::npos) << ok.output;

  auto pub = res.public_inputs;
  pub[0] += Fr::one();
  write_text(path("public_bad.json"), groth16::public_to_json(pub));
  Exec bad = snarkjs("groth16 verify " + path("vk.json") + " " + path("public_bad.json") + " " +
                     path("proof.json"));
  EXPECT_NE(bad.status, 0) << bad.output;
}

TEST_F(Groth16Snarkjs, OurVerifierAcceptsSnarkjsProofWithOurKey) {
  Exec p = snarkjs("groth16 prove " + path("c.zkey") + " " + path("c.wtns") + " " +
                   path("sproof.json") + " " + path("spublic.json"));
  ASSERT_EQ(p.status, 0) << p.output;
  auto proof = groth16::parse_proof_json(formats::read_text_file(path("sproof.json")));
  auto pub = groth16::parse_public_json(formats::read_text_file(path("spublic.json")));
  ASSERT_EQ(pub.size(), 3u);
  EXPECT_EQ(pub[2], cb_->witness()[3]);
  EXPECT_TRUE(verify(*vk_, pub, proof));
}

TEST_F(Groth16Snarkjs, ExportedVerificationKeyEqualsOurs) {
  Exec e = snarkjs("zkey export verificationkey " + path("c.zkey") + " " + path("vk2.json"));
  ASSERT_EQ(e.status, 0) << e.output;
  auto vk2 = groth16::parse_verification_key_json(formats::read_text_file(path("vk2.json")));
  EXPECT_EQ(vk2.alpha1, vk_->alpha1);
  EXPECT_EQ(vk2.beta2, vk_->beta2);
  EXPECT_EQ(vk2.gamma2, vk_->gamma2);
  EXPECT_EQ(vk2.delta2, vk_->delta2);
  EXPECT_EQ(vk2.ic, vk_->ic);
  EXPECT_EQ(vk2.alphabeta12, vk_->alphabeta12);
  // And the JSON text is the same document snarkjs writes.
  EXPECT_EQ(groth16::verification_key_to_json(vk2), formats::read_text_file(path("vk.json")));
}

// A key made by snarkjs itself (fresh powers of tau, 2^8): our reader accepts
// it, our prover's proof verifies with snarkjs' exported key, in our verifier
// and in snarkjs.
TEST_F(Groth16Snarkjs, OurProverWithSnarkjsKey) {
  ASSERT_EQ(snarkjs("powersoftau new bn128 8 " + path("pot0.ptau")).status, 0);
  Exec prep = snarkjs("powersoftau prepare phase2 " + path("pot0.ptau") + " " + path("pot8.ptau"));
  ASSERT_EQ(prep.status, 0) << prep.output;
  Exec setup =
      snarkjs("groth16 setup " + path("c.r1cs") + " " + path("pot8.ptau") + " " + path("s.zkey"));
  ASSERT_EQ(setup.status, 0) << setup.output;
  ASSERT_EQ(
      snarkjs("zkey export verificationkey " + path("s.zkey") + " " + path("svk.json")).status, 0);
  groth16::ZkeyReader zkey(path("s.zkey"));
  zkey.check_points(2);
  EXPECT_EQ(zkey.header().domain_size, 256u);
  auto svk = groth16::parse_verification_key_json(formats::read_text_file(path("svk.json")));
  EXPECT_EQ(zkey.verification_key().alphabeta12, svk.alphabeta12);
  auto res = prove(zkey, cb_->witness(), 2);
  EXPECT_TRUE(verify(svk, res.public_inputs, res.proof));
  write_text(path("p3.json"), groth16::proof_to_json(res.proof));
  write_text(path("pub3.json"), groth16::public_to_json(res.public_inputs));
  Exec ok = snarkjs("groth16 verify " + path("svk.json") + " " + path("pub3.json") + " " +
                    path("p3.json"));
  EXPECT_EQ(ok.status, 0) << ok.output;
}

}  // namespace
}  // namespace codex::prover::groth16
