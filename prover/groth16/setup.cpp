#include "prover/groth16/setup.h"

#include <bit>
#include <string>
#include <vector>

#include "prover/error.h"
#include "prover/groth16/fixed_base.h"
#include "prover/ntt/domain.h"
#include "prover/poseidon2/bytes.h"

namespace codex::prover::groth16 {

namespace {

using curve::G1Affine;
using curve::G2Affine;

// A toxic-waste scalar: the Poseidon2 byte hash of a label and the seed.
// Development only: the seed determines every secret.
Fr derive(std::string_view label, std::string_view seed) {
  std::string msg = "codex-prover development setup v1/";
  msg += label;
  msg += '/';
  msg += seed;
  Fr x = poseidon2::hash_bytes(std::span(reinterpret_cast<const uint8_t*>(msg.data()), msg.size()));
  if (x.is_zero()) throw InvalidInput("development setup: seed yields a zero secret");
  return x;
}

// L_k(τ) of the radix-2 domain of size m for every k in `ks` (k = first + step·i):
// (τ^m − 1)·ω^k / (m·(τ − ω^k)).
std::vector<Fr> lagrange_at(const Fr& tau, size_t log_m, size_t count, size_t first, size_t step) {
  const size_t m = size_t(1) << log_m;
  const Fr omega = ntt::root_of_unity(log_m);
  const Fr z = tau.pow(uint64_t(m)) - Fr::one();
  if (z.is_zero()) throw InvalidInput("development setup: τ lies in the domain (change the seed)");
  const Fr z_over_m = z * Fr::from_u64(m).inverse();
  std::vector<Fr> w(count), den(count);
  Fr wk = omega.pow(uint64_t(first));
  const Fr wstep = omega.pow(uint64_t(step));
  for (size_t i = 0; i < count; ++i) {
    w[i] = wk;
    den[i] = tau - wk;
    wk *= wstep;
  }
  Fr::batch_inverse(den);
  for (size_t i = 0; i < count; ++i)
    den[i] = z_over_m * w[i] * den[i];
  return den;
}

}  // namespace

uint32_t snarkjs_domain_log(uint64_t n_constraints, uint64_t n_public) {
  uint64_t rows = n_constraints + n_public;
  uint32_t k = uint32_t(std::bit_width(rows));
  if (k > 27)
    throw InvalidInput("circuit too large: " + std::to_string(n_constraints) +
                       " constraints need a domain of 2^" + std::to_string(k) + " (max 2^27)");
  return k;
}

SetupResult dev_setup(const formats::R1cs& r1cs, std::string_view seed, unsigned threads) {
  const auto& hd = r1cs.header;
  const uint32_t n_vars = hd.n_wires, n_pub = hd.num_public();
  if (n_vars == 0 || uint64_t(n_pub) + 1 > n_vars)
    throw InvalidInput("setup: nPublic + 1 exceeds nWires");
  if (r1cs.constraints.size() != hd.n_constraints)
    throw InvalidInput("setup: constraint count does not match the header");
  const uint32_t log_n = snarkjs_domain_log(hd.n_constraints, n_pub);
  const size_t n = size_t(1) << log_n;

  // Toxic waste (development only).
  const Fr tau = derive("tau", seed), alpha = derive("alpha", seed), beta = derive("beta", seed),
           gamma = derive("gamma", seed), delta = derive("delta", seed);
  const Fr gamma_inv = gamma.inverse(), delta_inv = delta.inverse();

  // QAP polynomials of every wire at τ: a_w = Σ_rows A[row][w]·L_row(τ), etc.
  const std::vector<Fr> lag = lagrange_at(tau, log_n, n, 0, 1);
  std::vector<Fr> a(n_vars), b(n_vars), c(n_vars);
  ProvingKey pk;
  auto& coefs = pk.coefs;
  for (size_t row = 0; row < r1cs.constraints.size(); ++row) {
    const auto& k = r1cs.constraints[row];
    for (const auto& [w, coef] : k.a.terms()) {
      if (w >= n_vars) throw InvalidInput("setup: wire id out of range");
      a[w] += coef * lag[row];
      coefs.push_back({0, uint32_t(row), w, coef});
    }
    for (const auto& [w, coef] : k.b.terms()) {
      if (w >= n_vars) throw InvalidInput("setup: wire id out of range");
      b[w] += coef * lag[row];
      coefs.push_back({1, uint32_t(row), w, coef});
    }
    for (const auto& [w, coef] : k.c.terms()) {
      if (w >= n_vars) throw InvalidInput("setup: wire id out of range");
      c[w] += coef * lag[row];
    }
  }
  // snarkjs' binding rows: A[nConstraints + s][s] = 1 for s = 0..nPublic.
  for (uint32_t s = 0; s <= n_pub; ++s) {
    const size_t row = hd.n_constraints + s;
    a[s] += lag[row];
    coefs.push_back({0, uint32_t(row), s, Fr::one()});
  }

  // (β·a + α·b + c) / γ for public wires (IC), / δ for private ones (C).
  std::vector<Fr> ic_s(n_pub + 1), c_s(n_vars - n_pub - 1);
  for (uint32_t w = 0; w < n_vars; ++w) {
    Fr v = beta * a[w] + alpha * b[w] + c[w];
    if (w <= n_pub)
      ic_s[w] = v * gamma_inv;
    else
      c_s[w - n_pub - 1] = v * delta_inv;
  }
  // H: δ⁻¹·L_{2i+1}(τ) over the domain of size 2n.
  std::vector<Fr> h_s = lagrange_at(tau, log_n + 1, n, 1, 2);
  for (Fr& x : h_s)
    x *= delta_inv;

  const FixedBase<curve::G1Curve> g1(curve::g1_generator());
  const FixedBase<curve::G2Curve> g2(curve::g2_generator());
  auto& h = pk.header;
  h.n_vars = n_vars;
  h.n_public = n_pub;
  h.domain_size = uint32_t(n);
  h.alpha1 = g1.mul(alpha).to_affine();
  h.beta1 = g1.mul(beta).to_affine();
  h.delta1 = g1.mul(delta).to_affine();
  h.beta2 = g2.mul(beta).to_affine();
  h.gamma2 = g2.mul(gamma).to_affine();
  h.delta2 = g2.mul(delta).to_affine();

  pk.ic.resize(ic_s.size());
  g1.mul_many(ic_s, pk.ic, threads);
  pk.a.resize(n_vars);
  g1.mul_many(a, pk.a, threads);
  pk.b1.resize(n_vars);
  g1.mul_many(b, pk.b1, threads);
  pk.b2.resize(n_vars);
  g2.mul_many(b, pk.b2, threads);
  pk.c.resize(c_s.size());
  g1.mul_many(c_s, pk.c, threads);
  pk.h.resize(n);
  g1.mul_many(h_s, pk.h, threads);

  SetupResult out;
  out.vk.alpha1 = h.alpha1;
  out.vk.beta2 = h.beta2;
  out.vk.gamma2 = h.gamma2;
  out.vk.delta2 = h.delta2;
  out.vk.ic = pk.ic;
  out.vk.alphabeta12 = snarkjs_alphabeta(h.alpha1, h.beta2);
  out.pk = std::move(pk);
  return out;
}

}  // namespace codex::prover::groth16
