// Radix-2 evaluation domains of Fr: the subgroup of 2^k-th roots of unity
// (k ≤ 28, the 2-adicity of r), its generator ω_n, 1/n and the twiddle
// table, plus the coset shift used by Groth16 provers.
//
// ω_{2^28} = 5^((r−1)/2^28) (5 generates Fr*, the convention of snarkjs and
// arkworks); ω_n = ω_{2^28}^(2^28/n).
//
// Immutable after construction; thread-safe to share.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "prover/field/bn254.h"

namespace codex::prover::ntt {

inline constexpr size_t kMaxLogSize = 28;

// The primitive 2^log_n-th root of unity. Throws InvalidInput if log_n > 28.
Fr root_of_unity(size_t log_n);

// The multiplicative generator of Fr* (5), a coset shift outside every
// radix-2 subgroup.
inline Fr coset_generator() {
  return Fr::from_u64(5);
}

class Domain {
 public:
  // Throws InvalidInput if log_n > kMaxLogSize. The tables are built on
  // `threads` threads (0 = all hardware threads).
  explicit Domain(size_t log_n, unsigned threads = 0);

  size_t log_size() const { return log_n_; }
  size_t size() const { return size_t(1) << log_n_; }
  const Fr& omega() const { return omega_; }
  const Fr& omega_inv() const { return omega_inv_; }
  const Fr& size_inv() const { return size_inv_; }
  // ω^i for i < n/2 (forward twiddles); the inverse transform uses ω^{-i}.
  const std::vector<Fr>& twiddles() const { return twiddles_; }
  const std::vector<Fr>& inverse_twiddles() const { return inv_twiddles_; }
  // The twiddles of the butterfly stage with blocks of 2·half points,
  // ω_{2·half}^j for j < half, contiguous (a strided walk through twiddles()
  // misses the cache at large sizes). REQUIRES: half a power of two ≤ n/2.
  std::span<const Fr> stage_twiddles(size_t half) const { return stage(twiddles_, stage_, half); }
  std::span<const Fr> inverse_stage_twiddles(size_t half) const {
    return stage(inv_twiddles_, inv_stage_, half);
  }

 private:
  static std::span<const Fr> stage(const std::vector<Fr>& last, const std::vector<Fr>& early,
                                   size_t half) {
    if (half == last.size()) return last;
    return std::span<const Fr>(early).subspan(half - 1, half);
  }

  size_t log_n_;
  Fr omega_, omega_inv_, size_inv_;
  std::vector<Fr> twiddles_, inv_twiddles_;
  // Stages with half < n/2, concatenated: stage `half` at [half − 1, 2·half − 1).
  std::vector<Fr> stage_, inv_stage_;
};

}  // namespace codex::prover::ntt
