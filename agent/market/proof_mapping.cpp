#include "agent/market/proof_mapping.h"

namespace codex::market {
namespace {

using L = eth::AbiValue::List;

template <class F>
Uint256 to_uint(const F& x) {
  auto be = x.to_bytes_be();
  return Uint256::from_be_bytes(be);
}

G1Point g1(const prover::curve::G1Affine& p) {
  if (p.infinity) return {};  // EIP-196 encodes infinity as (0, 0)
  return {to_uint(p.x), to_uint(p.y)};
}

G2Point g2(const prover::curve::G2Affine& p) {
  if (p.infinity) return {};
  return {{to_uint(p.x.c0), to_uint(p.x.c1)}, {to_uint(p.y.c0), to_uint(p.y.c1)}};
}

eth::AbiValue abi_g1(const G1Point& p) {
  return eth::AbiValue(L{p.x, p.y});
}
eth::AbiValue abi_g2(const G2Point& p) {
  return eth::AbiValue(L{L{p.x.real, p.x.imag}, L{p.y.real, p.y.imag}});
}

}  // namespace

Groth16Proof proof_from_prover(const prover::groth16::Proof& p) {
  return {g1(p.a), g2(p.b), g1(p.c)};
}

std::vector<Uint256> inputs_from_prover(const std::vector<prover::Fr>& inputs) {
  std::vector<Uint256> out;
  out.reserve(inputs.size());
  for (const auto& x : inputs)
    out.push_back(to_uint(x));
  return out;
}

eth::AbiValue verifying_key_to_abi(const prover::groth16::VerificationKey& vk) {
  L ic;
  for (const auto& p : vk.ic)
    ic.push_back(abi_g1(g1(p)));
  return eth::AbiValue(L{abi_g1(g1(vk.alpha1)), abi_g2(g2(vk.beta2)), abi_g2(g2(vk.gamma2)),
                         abi_g2(g2(vk.delta2)), std::move(ic)});
}

std::vector<Uint256> verifying_key_words(const prover::groth16::VerificationKey& vk) {
  std::vector<Uint256> w;
  const G1Point a = g1(vk.alpha1);
  w.insert(w.end(), {a.x, a.y});
  for (const auto* p : {&vk.beta2, &vk.gamma2, &vk.delta2}) {
    const G2Point q = g2(*p);
    w.insert(w.end(), {q.x.real, q.x.imag, q.y.real, q.y.imag});
  }
  for (const auto& p : vk.ic) {
    const G1Point q = g1(p);
    w.insert(w.end(), {q.x, q.y});
  }
  return w;
}

eth::AbiValue inputs_to_abi(const std::vector<Uint256>& inputs) {
  L out(inputs.begin(), inputs.end());
  return eth::AbiValue(std::move(out));
}

}  // namespace codex::market
