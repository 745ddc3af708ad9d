#include "prover/ntt/domain.h"

#include <algorithm>
#include <bit>
#include <string>

#include "base/parallel/parallel_for.h"
#include "prover/error.h"

namespace codex::prover::ntt {

Fr root_of_unity(size_t log_n) {
  if (log_n > kMaxLogSize) {
    throw InvalidInput("NTT domain of 2^" + std::to_string(log_n) +
                       " points exceeds the 2-adicity of Fr (2^28)");
  }
  // (r − 1)/2^28: shift r − 1 right by 28 bits.
  field::Limbs<4> e = Fr::kModulus;
  e[0] -= 1;
  for (size_t i = 0; i < kMaxLogSize; ++i)
    e = field::limbs_shr1(e);
  Fr w = coset_generator().pow(e);
  for (size_t i = log_n; i < kMaxLogSize; ++i)
    w = w.square();
  return w;
}

Domain::Domain(size_t log_n, unsigned threads) : log_n_(log_n) {
  omega_ = root_of_unity(log_n);
  omega_inv_ = omega_.inverse();
  size_inv_ = Fr::from_u64(uint64_t(1) << log_n).inverse();
  const size_t half = size() / 2;
  threads = half < (size_t(1) << 12) ? 1 : base::resolve_threads(threads);
  twiddles_.resize(half);
  inv_twiddles_.resize(half);
  base::parallel_for(half, threads, [&](size_t b, size_t e) {
    Fr w = omega_.pow(uint64_t(b));
    for (size_t i = b; i < e; ++i, w *= omega_)
      twiddles_[i] = w;
  });
  // ω^{−i} = ω^{n/2}·ω^{n/2−i} = −ω^{n/2−i}: a negation instead of a product.
  base::parallel_for(half, threads, [&](size_t b, size_t e) {
    for (size_t i = b; i < e; ++i)
      inv_twiddles_[i] = i == 0 ? Fr::one() : -twiddles_[half - i];
  });
  if (half > 1) {
    stage_.resize(half - 1);
    inv_stage_.resize(half - 1);
    // Entry k belongs to the stage h = bit_floor(k + 1), index j = k + 1 − h.
    base::parallel_for(half - 1, threads, [&](size_t b, size_t e) {
      for (size_t k = b; k < e; ++k) {
        const size_t h = std::bit_floor(k + 1), src = (k + 1 - h) * (half / h);
        stage_[k] = twiddles_[src];
        inv_stage_[k] = inv_twiddles_[src];
      }
    });
  }
}

}  // namespace codex::prover::ntt
