// The Groth16 verifier on the reference example proof (tests/data/
// codex-example): accepts it, rejects it with any public input or proof
// point changed, and the pairing reproduces snarkjs' vk_alphabeta_12.
#include <gtest/gtest.h>

#include "prover/error.h"
#include "prover/formats/json.h"
#include "prover/groth16/snarkjs_json.h"
#include "prover/groth16/verifier.h"

namespace codex::prover::groth16 {
namespace {

using curve::G1;
using curve::G2;

struct Reference {
  VerificationKey vk;
  Proof proof;
  std::vector<Fr> inputs;
};

const Reference& reference() {
  static const Reference ref = [] {
    const std::string dir = std::string(CODEX_SOURCE_DIR) + "/tests/data/codex-example/";
    Reference r;
    r.vk = groth16::parse_verification_key_json(
        formats::read_text_file(dir + "verification_key_hardhat.json"));
    r.proof = groth16::parse_proof_json(formats::read_text_file(dir + "proof.json"));
    r.inputs = groth16::parse_public_json(formats::read_text_file(dir + "public.json"));
    return r;
  }();
  return ref;
}

TEST(Groth16Verify, AcceptsReferenceProof) {
  const auto& r = reference();
  ASSERT_EQ(r.inputs.size(), 3u);
  ASSERT_EQ(r.vk.num_public(), 3u);
  EXPECT_TRUE(verify(r.vk, r.inputs, r.proof));
}

// snarkjs (ffjavascript) finishes its pairing with the Fuentes-Castañeda
// hard part, which yields the reduced pairing raised to m = 2x(6x²+3x+1);
// both agree on "product = 1", and this pins our value against theirs.
TEST(Groth16Verify, PairingMatchesSnarkjsAlphaBeta) {
  const auto& r = reference();
  ASSERT_TRUE(r.vk.alphabeta12.has_value());
  const Fr x = Fr::from_decimal("4965661367192848881");
  const Fr m = (x * x * Fr::from_u64(6) + x * Fr::from_u64(3) + Fr::one()) * x * Fr::from_u64(2);
  curve::Fq12 e = pairing::pairing(r.vk.alpha1, r.vk.beta2);
  EXPECT_NE(e, *r.vk.alphabeta12);
  EXPECT_EQ(e.pow(m.to_int()), *r.vk.alphabeta12);
}

TEST(Groth16Verify, RejectsAnyChangedPublicInput) {
  const auto& r = reference();
  PreparedVerifier v(r.vk);
  for (size_t i = 0; i < r.inputs.size(); ++i) {
    for (const Fr& delta : {Fr::one(), -Fr::one(), Fr::from_u64(1u << 20)}) {
      auto inputs = r.inputs;
      inputs[i] += delta;
      EXPECT_FALSE(v.verify(inputs, r.proof)) << "input " << i;
    }
  }
  // Swapped order.
  auto swapped = r.inputs;
  std::swap(swapped[0], swapped[2]);
  EXPECT_FALSE(v.verify(swapped, r.proof));
  // Wrong count: a clear error, not a silent reject.
  auto shorter = r.inputs;
  shorter.pop_back();
  EXPECT_THROW(v.verify(shorter, r.proof), InvalidInput);
  auto longer = r.inputs;
  longer.push_back(Fr::zero());
  EXPECT_THROW(v.verify(longer, r.proof), InvalidInput);
}

TEST(Groth16Verify, RejectsAnyChangedProofPoint) {
  const auto& r = reference();
  PreparedVerifier v(r.vk);
  const curve::G1Affine g1 = curve::g1_generator();
  const curve::G2Affine g2 = curve::g2_generator();
  auto check = [&](const Proof& p, const char* what) {
    EXPECT_FALSE(v.verify(r.inputs, p)) << what;
  };

  Proof p = r.proof;
  p.a = (G1(p.a) + g1).to_affine();
  check(p, "A + G1");
  p = r.proof;
  p.a = -p.a;
  check(p, "-A");
  p = r.proof;
  p.b = (G2(p.b) + g2).to_affine();
  check(p, "B + G2");
  p = r.proof;
  p.c = (G1(p.c) + g1).to_affine();
  check(p, "C + G1");
  p = r.proof;
  std::swap(p.a, p.c);
  check(p, "A <-> C");
  // B with its Fq2 components swapped (the EIP-197 order mistake of §5.5).
  p = r.proof;
  std::swap(p.b.x.c0, p.b.x.c1);
  std::swap(p.b.y.c0, p.b.y.c1);
  check(p, "B imaginary-first");
  // Off-curve points are rejected, not trusted.
  p = r.proof;
  p.a.y += Fq::one();
  check(p, "A off curve");
  p = r.proof;
  p.b.y += curve::Fq2::one();
  check(p, "B off twist");
  // Identity points.
  p = r.proof;
  p.c = curve::G1Affine::identity();
  check(p, "C = O");
}

TEST(Groth16Verify, RejectsChangedKey) {
  const auto& r = reference();
  VerificationKey vk = r.vk;
  vk.ic[1] = (G1(vk.ic[1]) + curve::g1_generator()).to_affine();
  EXPECT_FALSE(verify(vk, r.inputs, r.proof));
  vk = r.vk;
  vk.alpha1.y += Fq::one();
  EXPECT_THROW(PreparedVerifier{vk}, InvalidInput);
  vk = r.vk;
  vk.ic.clear();
  EXPECT_THROW(PreparedVerifier{vk}, InvalidInput);
}

}  // namespace
}  // namespace codex::prover::groth16
