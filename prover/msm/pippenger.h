// Multi-scalar multiplication Σ kᵢ·Pᵢ by Pippenger's bucket method, for G1
// and G2 (any curve of prover/curve/point.h), multithreaded.
//
// Scalars are recoded into signed c-bit digits in [−2^(c−1), 2^(c−1)], so
// each window needs 2^(c−1) buckets (negation is free on the curve); c is
// chosen from the number of points (≈ 0.69·log2 n + 2, capped at 15), or
// given. Windows are distributed over the threads; each window's buckets are
// filled with mixed (Jacobian + affine) additions and summed by the running
// sum trick; windows are combined by doublings.
//
// Not constant time (timing depends on the scalars).
// REQUIRES: points.size() == scalars.size() (throws InvalidInput otherwise).
// Thread-safety: reentrant; threads = 0 means all hardware threads.
#pragma once

#include <algorithm>
#include <cstdint>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "prover/curve/point.h"
#include "prover/error.h"
#include "prover/field/bn254.h"
#include "prover/msm/batch_affine.h"

namespace codex::prover::msm {

// The window width used for n points.
inline unsigned window_bits(size_t n) {
  if (n < 32) return 3;
  unsigned log2n = 63 - unsigned(__builtin_clzll(n));
  return std::min(15u, log2n * 69 / 100 + 2);
}

namespace detail {

// Signed c-bit digits of a 254-bit scalar, least significant window first.
inline void signed_digits(const field::Limbs<4>& k, unsigned c, size_t windows, int16_t* out) {
  const uint64_t mask = (uint64_t(1) << c) - 1, half = uint64_t(1) << (c - 1);
  uint64_t carry = 0;
  for (size_t w = 0; w < windows; ++w) {
    size_t bit = w * c, limb = bit / 64, shift = bit % 64;
    uint64_t v = 0;
    if (limb < 4) {
      v = k[limb] >> shift;
      if (shift + c > 64 && limb + 1 < 4) v |= k[limb + 1] << (64 - shift);
    }
    v = (v & mask) + carry;
    if (v > half) {
      out[w] = int16_t(int64_t(v) - int64_t(uint64_t(1) << c));
      carry = 1;
    } else {
      out[w] = int16_t(v);
      carry = 0;
    }
  }
}

}  // namespace detail

// With batch_affine, from this many points on, buckets are filled with
// batched affine additions (batch_affine.h). Off by default: on the bench
// machine it is still ~2x slower than Jacobian buckets
// (bench/prover_msm_bench.cpp, BM_MsmG1BatchAffine); kept, tested, for tuning.
inline constexpr size_t kBatchAffineThreshold = size_t(1) << 12;

template <class C>
curve::Jacobian<C> pippenger(std::span<const curve::Affine<C>> points, std::span<const Fr> scalars,
                             unsigned threads = 0, unsigned c = 0, bool batch_affine = false) {
  using J = curve::Jacobian<C>;
  if (points.size() != scalars.size()) {
    throw InvalidInput("MSM: " + std::to_string(points.size()) + " points but " +
                       std::to_string(scalars.size()) + " scalars");
  }
  const size_t n = points.size();
  if (n == 0) return J::identity();
  if (c == 0) c = window_bits(n);
  if (c < 2 || c > 15)
    throw InvalidInput("MSM window must be 2..15 bits, got " + std::to_string(c));
  // 254-bit scalars: enough windows for every bit plus a final carry.
  const size_t windows = 254 / c + 1;
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  threads = unsigned(std::min<size_t>(threads, std::max<size_t>(1, n / 64)));

  // Recode all scalars (parallel over points).
  std::vector<int16_t> digits(n * windows);
  auto recode = [&](size_t b, size_t e) {
    for (size_t i = b; i < e; ++i) {
      detail::signed_digits(scalars[i].to_int(), c, windows, &digits[i * windows]);
    }
  };
  std::vector<J> window_sums(windows);
  const bool use_batch = batch_affine && n >= kBatchAffineThreshold;
  auto run_windows = [&](size_t t) {
    std::vector<J> buckets(size_t(1) << (c - 1));
    BatchAffineBuckets<C> affine_buckets(
        use_batch ? buckets.size() : 0,
        std::max<size_t>(1, std::min<size_t>(256, buckets.size() / 8)));
    for (size_t w = t; w < windows; w += threads) {
      if (use_batch) {
        affine_buckets.clear();
        for (size_t i = 0; i < n; ++i) {
          int d = digits[i * windows + w];
          if (d > 0) {
            affine_buckets.add(size_t(d - 1), points[i]);
          } else if (d < 0) {
            affine_buckets.add(size_t(-d - 1), -points[i]);
          }
        }
        const auto& ab = affine_buckets.finish();
        for (size_t j = 0; j < buckets.size(); ++j)
          buckets[j] = J(ab[j]);
      } else {
        std::fill(buckets.begin(), buckets.end(), J::identity());
        for (size_t i = 0; i < n; ++i) {
          int d = digits[i * windows + w];
          if (d > 0) {
            buckets[size_t(d - 1)] += points[i];
          } else if (d < 0) {
            buckets[size_t(-d - 1)] += -points[i];
          }
        }
      }
      // Σ j·B_j = Σ_{j} (B_top + … + B_j).
      J running, sum;
      for (size_t j = buckets.size(); j-- > 0;) {
        running += buckets[j];
        sum += running;
      }
      window_sums[w] = sum;
    }
  };
  if (threads == 1) {
    recode(0, n);
    run_windows(0);
  } else {
    std::vector<std::thread> pool;
    const size_t chunk = (n + threads - 1) / threads;
    for (unsigned t = 0; t < threads; ++t) {
      size_t b = std::min(n, t * chunk), e = std::min(n, b + chunk);
      pool.emplace_back(recode, b, e);
    }
    for (auto& th : pool)
      th.join();
    pool.clear();
    for (unsigned t = 0; t < threads; ++t)
      pool.emplace_back(run_windows, size_t(t));
    for (auto& th : pool)
      th.join();
  }
  J acc;
  for (size_t w = windows; w-- > 0;) {
    for (unsigned i = 0; i < c; ++i)
      acc = acc.dbl();
    acc += window_sums[w];
  }
  return acc;
}

}  // namespace codex::prover::msm
