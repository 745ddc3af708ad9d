#include "prover/ntt/domain.h"

#include <string>

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

Domain::Domain(size_t log_n) : log_n_(log_n) {
  omega_ = root_of_unity(log_n);
  omega_inv_ = omega_.inverse();
  size_inv_ = Fr::from_u64(uint64_t(1) << log_n).inverse();
  const size_t half = size() / 2;
  twiddles_.resize(half);
  inv_twiddles_.resize(half);
  Fr w = Fr::one(), wi = Fr::one();
  for (size_t i = 0; i < half; ++i) {
    twiddles_[i] = w;
    inv_twiddles_[i] = wi;
    w *= omega_;
    wi *= omega_inv_;
  }
  if (half > 1) {
    stage_.resize(half - 1);
    inv_stage_.resize(half - 1);
    for (size_t h = 1; h < half; h *= 2) {
      const size_t stride = half / h;
      for (size_t j = 0; j < h; ++j) {
        stage_[h - 1 + j] = twiddles_[j * stride];
        inv_stage_[h - 1 + j] = inv_twiddles_[j * stride];
      }
    }
  }
}

}  // namespace codex::prover::ntt
