#include "prover/groth16/prover.h"

#include <sys/random.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <string>

#include "base/parallel/parallel_for.h"
#include "prover/error.h"
#include "prover/groth16/fr_buffer.h"
#include "prover/msm/msm.h"
#include "prover/ntt/ntt.h"

namespace codex::prover::groth16 {

namespace {

using base::parallel_for;
using base::resolve_threads;

constexpr size_t kCoefBytes = 44;

// Σ scalars[i]·P_i over the points of a zkey section, loaded from the mapping:
// zero scalars are skipped, points with scalar 1 are summed directly, the
// rest go to one Pippenger MSM. `load(i)` decodes point i (with its check);
// `loaded()` runs once all points are decoded (to release the mapping early).
template <class C, class Load, class Loaded, class Msm>
curve::Jacobian<C> sparse_msm(std::span<const Fr> scalars, Load load, Loaded loaded, Msm msm,
                              unsigned threads) {
  using Affine = curve::Affine<C>;
  using Jac = curve::Jacobian<C>;
  const size_t n = scalars.size();
  const unsigned t = resolve_threads(threads);
  const size_t chunk = std::max<size_t>(4096, (n + t - 1) / t);
  const size_t n_chunks = (n + chunk - 1) / chunk;
  // Pass 1: how many general scalars each chunk holds.
  std::vector<size_t> offset(n_chunks + 1, 0);
  for (size_t k = 0; k < n_chunks; ++k) {
    size_t cnt = 0;
    for (size_t i = k * chunk, e = std::min(n, i + chunk); i < e; ++i)
      cnt += !scalars[i].is_zero() && !scalars[i].is_one();
    offset[k + 1] = offset[k] + cnt;
  }
  std::vector<Affine> pts(offset[n_chunks]);
  std::vector<Fr> scs(offset[n_chunks]);
  std::vector<Jac> ones(n_chunks);
  // Pass 2: decode the points that matter, in parallel over chunks.
  parallel_for(
      n_chunks, threads,
      [&](size_t kb, size_t ke) {
        for (size_t k = kb; k < ke; ++k) {
          size_t o = offset[k];
          Jac sum;
          for (size_t i = k * chunk, e = std::min(n, i + chunk); i < e; ++i) {
            if (scalars[i].is_zero()) continue;
            if (scalars[i].is_one()) {
              sum += load(i);
            } else {
              pts[o] = load(i);
              scs[o] = scalars[i];
              ++o;
            }
          }
          ones[k] = sum;
        }
      },
      1);
  loaded();
  Jac r = pts.empty() ? Jac() : msm(std::span<const Affine>(pts), std::span<const Fr>(scs));
  for (const Jac& o : ones)
    r += o;
  return r;
}

// A·w, B·w and C = A∘B on the domain, from the coefficient section. Values
// are stored as coef·R² (Montgomery form of coef·R), so they multiply witness
// values pre-scaled by R⁻¹. Each thread owns a range of rows and takes the
// coefficients that land there: no per-thread accumulators to zero and sum,
// whatever the order of the section.
void evaluate_abc(const ZkeyReader& zkey, std::span<const Fr> witness, FrBuffer& a, FrBuffer& b,
                  FrBuffer& c, unsigned threads) {
  const size_t n = zkey.header().domain_size;
  const Fr r_inv = Fr::from_montgomery_unchecked(Fr::kR2).inverse();
  std::vector<Fr> ws(witness.size());
  parallel_for(witness.size(), threads, [&](size_t lo, size_t hi) {
    for (size_t i = lo; i < hi; ++i)
      ws[i] = witness[i] * r_inv;
  });
  auto bytes = zkey.coefficient_bytes();
  const size_t n_coefs = zkey.num_coefficients();
  a = FrBuffer(n);
  b = FrBuffer(n);
  c = FrBuffer(n);
  // Every thread reads the whole section: beyond a few threads the reads
  // would cost more than the products they share.
  const unsigned t = n_coefs < 256 ? 1 : std::min(resolve_threads(threads), 8u);
  // Row ranges with about equal numbers of coefficients, from the rows of
  // evenly spaced entries (the padded tail of the domain has none).
  auto row_of = [&](size_t i) {
    uint32_t row;
    std::memcpy(&row, bytes.data() + i * kCoefBytes + 4, 4);
    return size_t(row);
  };
  std::vector<size_t> bound(t + 1, n);
  bound[0] = 0;
  if (t > 1) {
    std::vector<size_t> sample(std::min<size_t>(n_coefs, 4096));
    for (size_t i = 0; i < sample.size(); ++i)
      sample[i] = row_of(i * (n_coefs / sample.size()));
    std::sort(sample.begin(), sample.end());
    for (unsigned k = 1; k < t; ++k)
      bound[k] = sample[k * sample.size() / t];
  }
  parallel_for(
      t, t,
      [&](size_t kb, size_t ke) {
        const size_t row_lo = bound[kb], row_hi = bound[ke];
        std::fill(a.data() + row_lo, a.data() + row_hi, Fr::zero());
        std::fill(b.data() + row_lo, b.data() + row_hi, Fr::zero());
        for (size_t i = 0; i < n_coefs; ++i) {
          const size_t row = row_of(i);
          if (row < row_lo || row >= row_hi) continue;
          const uint8_t* p = bytes.data() + i * kCoefBytes;
          uint32_t m, wire;
          std::memcpy(&m, p, 4);
          std::memcpy(&wire, p + 8, 4);
          Fr::Repr v;
          std::memcpy(v.data(), p + 12, 32);
          (m == 0 ? a : b)[row] += Fr::from_montgomery_unchecked(v) * ws[wire];
        }
      },
      1);
  parallel_for(n, threads, [&](size_t lo, size_t hi) {
    for (size_t i = lo; i < hi; ++i)
      c[i] = a[i] * b[i];
  });
}

}  // namespace

Fr random_fr() {
  uint8_t buf[64];
  size_t got = 0;
  while (got < sizeof buf) {
    ssize_t r = ::getrandom(buf + got, sizeof buf - got, 0);
    if (r < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error(std::string("getrandom failed: ") + std::strerror(errno));
    }
    got += size_t(r);
  }
  // 512 bits reduced mod r: bias below 2^-250.
  return Fr::from_bytes_le_reduce(buf);
}

ProveResult prove(const ZkeyReader& zkey, std::span<const Fr> witness, unsigned threads,
                  ProveTimings* timings) {
  return prove_with_randomness(zkey, witness, random_fr(), random_fr(), threads, timings);
}

ProveResult prove_with_randomness(const ZkeyReader& zkey, std::span<const Fr> witness, const Fr& r,
                                  const Fr& s, unsigned threads, ProveTimings* timings) {
  ProveTimings local;
  ProveTimings& tm = timings != nullptr ? *timings : local;
  auto t_last = std::chrono::steady_clock::now();
  auto lap = [&t_last](double& into) {
    auto now = std::chrono::steady_clock::now();
    into = std::chrono::duration<double>(now - t_last).count();
    t_last = now;
  };
  const auto& hd = zkey.header();
  if (witness.size() != hd.n_vars)
    throw InvalidInput("witness has " + std::to_string(witness.size()) + " values, the key " +
                       zkey.path() + " expects " + std::to_string(hd.n_vars));
  if (witness.empty() || !witness[0].is_one()) throw InvalidInput("witness[0] must be 1");
  const size_t n = hd.domain_size;
  const size_t log_n = size_t(std::countr_zero(n));
  if (log_n + 1 > ntt::kMaxLogSize)
    throw InvalidInput("domain 2^" + std::to_string(log_n) + " too large for the odd-coset step");

  // h: (A·B − C) on the odd coset ω_{2n}^{2i+1}.
  FrBuffer a, b, c;
  evaluate_abc(zkey, witness, a, b, c, threads);
  zkey.release(ZkeyReader::kCoefs);
  lap(tm.abc);
  const ntt::Domain domain(log_n, threads);
  const Fr shift = ntt::root_of_unity(log_n + 1);
  for (auto* v : {&a, &b, &c})
    ntt::evaluations_to_coset(domain, v->span(), shift, threads);
  parallel_for(n, threads, [&](size_t lo, size_t hi) {
    for (size_t i = lo; i < hi; ++i)
      a[i] = a[i] * b[i] - c[i];
  });
  b.release();
  c.release();
  const FrBuffer& h = a;
  lap(tm.ntt);

  using curve::G1;
  using curve::G1Affine;
  using curve::G1Curve;
  using curve::G2;
  using curve::G2Affine;
  using curve::G2Curve;
  auto msm1 = [&](std::span<const G1Affine> p, std::span<const Fr> k) {
    return msm::msm_g1(p, k, threads);
  };
  auto msm2 = [&](std::span<const G2Affine> p, std::span<const Fr> k) {
    return msm::msm_g2(p, k, threads);
  };
  auto g1_section = [&](ZkeyReader::Section sec, std::span<const Fr> scalars, double& t) {
    G1 r = sparse_msm<G1Curve>(
        scalars, [&](size_t i) { return zkey.g1_point(sec, i); }, [&] { zkey.release(sec); }, msm1,
        threads);
    lap(t);
    return r;
  };

  const G1 sum_a = g1_section(ZkeyReader::kA, witness, tm.msm_a);
  const G1 sum_b1 = g1_section(ZkeyReader::kB1, witness, tm.msm_b1);
  const G2 sum_b2 = sparse_msm<G2Curve>(
      witness, [&](size_t i) { return zkey.b2_point(i); }, [&] { zkey.release(ZkeyReader::kB2); },
      msm2, threads);
  lap(tm.msm_b2);
  const G1 sum_c = g1_section(ZkeyReader::kC, witness.subspan(hd.n_public + 1), tm.msm_c);
  const G1 sum_h = g1_section(ZkeyReader::kH, h.span(), tm.msm_h);

  const G1 delta1(hd.delta1);
  const G1 pi_a = G1(hd.alpha1) + sum_a + delta1 * r;
  const G2 pi_b = G2(hd.beta2) + sum_b2 + G2(hd.delta2) * s;
  const G1 b1 = G1(hd.beta1) + sum_b1 + delta1 * s;
  const G1 pi_c = sum_c + sum_h + pi_a * s + b1 * r - delta1 * (r * s);

  ProveResult out;
  out.proof.a = pi_a.to_affine();
  out.proof.b = pi_b.to_affine();
  out.proof.c = pi_c.to_affine();
  out.public_inputs.assign(witness.begin() + 1, witness.begin() + 1 + hd.n_public);
  return out;
}

}  // namespace codex::prover::groth16
