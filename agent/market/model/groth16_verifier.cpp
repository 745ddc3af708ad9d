#include "agent/market/model/groth16_verifier.h"

#include <memory>
#include <optional>

#include "prover/curve/g1.h"
#include "prover/curve/g2.h"
#include "prover/groth16/verifier.h"

namespace codex::market::model {
namespace {

using prover::Fq;
using prover::Fr;
using prover::curve::Fq2;
using prover::curve::G1Affine;
using prover::curve::G2Affine;

Uint256 modulus(const std::array<uint64_t, 4>& limbs) {
  std::array<uint8_t, 32> be{};
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 8; ++j)
      be[size_t(31 - (i * 8 + j))] = uint8_t(limbs[size_t(i)] >> (8 * j));
  return Uint256::from_be_bytes(be);
}

std::optional<Fq> fq(const Uint256& x) {
  static const Uint256 q = modulus(Fq::kModulus);
  if (x >= q) return std::nullopt;  // the precompiles refuse it
  return Fq::from_bytes_be(x.to_be_bytes());
}

std::optional<G1Affine> g1(const G1Point& p) {
  if (p.x.is_zero() && p.y.is_zero()) return G1Affine::identity();
  auto x = fq(p.x), y = fq(p.y);
  if (!x || !y) return std::nullopt;
  G1Affine a(*x, *y);
  if (!prover::curve::g1_is_valid(a)) return std::nullopt;
  return a;
}

std::optional<G2Affine> g2(const G2Point& p) {
  if (p.x.real.is_zero() && p.x.imag.is_zero() && p.y.real.is_zero() && p.y.imag.is_zero())
    return G2Affine::identity();
  auto xr = fq(p.x.real), xi = fq(p.x.imag), yr = fq(p.y.real), yi = fq(p.y.imag);
  if (!xr || !xi || !yr || !yi) return std::nullopt;
  G2Affine a(Fq2(*xr, *xi), Fq2(*yr, *yi));  // {real, imag} = (c0, c1), spec §11
  if (!prover::curve::g2_is_valid(a)) return std::nullopt;
  return a;
}

}  // namespace

ProofVerifier groth16_verifier(const prover::groth16::VerificationKey& vk) {
  auto prepared = std::make_shared<const prover::groth16::PreparedVerifier>(vk);
  return [prepared](const Groth16Proof& proof, const std::vector<Uint256>& inputs) {
    static const Uint256 r = modulus(Fr::kModulus);
    if (inputs.size() != prepared->key().num_public()) return false;
    std::vector<Fr> pub;
    pub.reserve(inputs.size());
    for (const Uint256& x : inputs) {
      if (x >= r) return false;
      pub.push_back(Fr::from_bytes_be(x.to_be_bytes()));
    }
    auto a = g1(proof.a), c = g1(proof.c);
    auto b = g2(proof.b);
    if (!a || !b || !c) return false;
    return prepared->verify(pub, prover::groth16::Proof{*a, *b, *c});
  };
}

}  // namespace codex::market::model
