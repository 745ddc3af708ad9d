// Fixed-base scalar multiplication: k·G for many scalars k and one base G,
// with a table of d·2^(w·j)·G (w-bit windows, affine), so each product costs
// one mixed addition per window and no doubling. Used by the development
// setup, which multiplies the two generators by millions of scalars.
//
// Immutable after construction; mul() may run concurrently.
#pragma once

#include <span>
#include <vector>

#include "base/parallel/parallel_for.h"
#include "prover/curve/point.h"
#include "prover/field/bn254.h"
#include "prover/groth16/batch_normalize.h"

namespace codex::prover::groth16 {

template <class C>
class FixedBase {
 public:
  static constexpr unsigned kWindow = 8;
  static constexpr unsigned kWindows = (254 + kWindow - 1) / kWindow;
  static constexpr unsigned kDigits = 1u << kWindow;

  explicit FixedBase(const curve::Affine<C>& g) : table_(size_t(kWindows) * kDigits) {
    std::vector<curve::Jacobian<C>> jac(table_.size());
    curve::Jacobian<C> base(g);
    for (unsigned j = 0; j < kWindows; ++j) {
      curve::Jacobian<C> acc;  // identity at digit 0
      for (unsigned d = 0; d < kDigits; ++d) {
        jac[size_t(j) * kDigits + d] = acc;
        acc += base;
      }
      base = acc;  // 2^w · base
    }
    batch_to_affine<C>(jac, table_);
  }

  curve::Jacobian<C> mul(const Fr& k) const {
    auto e = k.to_int();
    curve::Jacobian<C> r;
    for (unsigned j = 0; j < kWindows; ++j) {
      unsigned bit = j * kWindow;
      unsigned d = unsigned(e[bit / 64] >> (bit % 64)) & (kDigits - 1);
      if (bit % 64 + kWindow > 64 && bit / 64 + 1 < 4)
        d |= unsigned(e[bit / 64 + 1] << (64 - bit % 64)) & (kDigits - 1);
      if (d != 0) r += table_[size_t(j) * kDigits + d];
    }
    return r;
  }

  // out[i] = scalars[i]·G, affine, on `threads` threads.
  void mul_many(std::span<const Fr> scalars, std::span<curve::Affine<C>> out,
                unsigned threads) const {
    base::parallel_for(
        scalars.size(), threads,
        [&](size_t b, size_t e) {
          constexpr size_t kBatch = 1024;
          std::vector<curve::Jacobian<C>> jac(kBatch);
          for (size_t i = b; i < e; i += kBatch) {
            size_t n = std::min(kBatch, e - i);
            for (size_t j = 0; j < n; ++j)
              jac[j] = scalars[i + j].is_zero() ? curve::Jacobian<C>() : mul(scalars[i + j]);
            batch_to_affine<C>(std::span(jac.data(), n), out.subspan(i, n));
          }
        },
        256);
  }

 private:
  std::vector<curve::Affine<C>> table_;
};

}  // namespace codex::prover::groth16
