// Multi-scalar multiplication Σ kᵢ·Pᵢ by Pippenger's bucket method, for G1
// and G2 of BN254, multithreaded.
//
//  1. Scalars are converted from Montgomery form once and, with GLV (see
//     use_glv), split as k = k1 + k2·λ (glv.h): 2n points Pᵢ, φ(Pᵢ) with
//     scalars below 2^127, signs folded into the points. Zero scalars and
//     points at infinity get no digits.
//  2. Scalars are recoded into signed c-bit digits in [−2^(c−1), 2^(c−1)], so
//     a window needs 2^(c−1) buckets. Only as many windows as the largest
//     scalar needs are used (witness-like small scalars need one or two).
//     The top window reaches fewer buckets; it spreads each digit over
//     copies so that its batches stay full.
//  3. Each (window, slice of points) work item fills its buckets with
//     batched affine additions (bucket_accumulator.h) and sums them by
//     running sums; threads take work items in turn. c and the number of
//     slices come from a cost model (choose_plan) unless c is given.
//  4. Window sums are combined by doublings.
//
// Not constant time (timing depends on the scalars).
// REQUIRES: points.size() == scalars.size() (throws InvalidInput otherwise).
// Thread-safety: reentrant; threads = 0 means all hardware threads.
#pragma once

#include <algorithm>
#include <cstdint>
#include <mutex>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "base/parallel/parallel_for.h"
#include "prover/curve/endomorphism.h"
#include "prover/curve/point.h"
#include "prover/error.h"
#include "prover/field/bn254.h"
#include "prover/msm/bucket_accumulator.h"
#include "prover/msm/glv.h"

namespace codex::prover::msm {

enum class Glv { kAuto, kOn, kOff };

struct MsmOptions {
  unsigned threads = 0;  // 0: all hardware threads
  unsigned window = 0;   // digit width c (2..16); 0: from the cost model
  Glv glv = Glv::kAuto;  // split scalars with the endomorphism
};

// Whether kAuto splits scalars. Measured on the 2-core bench machine
// (bench/prover_msm_bench.cpp, GLV on/off): G2 gains ~25% at 2^16; G1 gains
// at small sizes, breaks even at 2^16 and loses ~7% at 2^18 (twice the
// points to stream for the same number of bucket additions).
template <class C>
bool use_glv(const MsmOptions& opt, size_t n) {
  if (opt.glv != Glv::kAuto) return opt.glv == Glv::kOn;
  return std::is_same_v<typename C::Field, curve::Fq2> || n < (size_t(1) << 16);
}

inline constexpr unsigned kMaxWindow = 16;  // negated digits fit int16_t

namespace detail {

// Signed c-bit digits d ∈ [−2^(c−1) + 1, 2^(c−1)] of an L-limb scalar, least
// significant window first, stored negated (−d) at out[w·stride] so that
// c = 16 still fits int16_t. REQUIRES: windows·c > bit length of k.
template <size_t L>
void signed_digits(const field::Limbs<L>& k, unsigned c, size_t windows, int16_t* out,
                   size_t stride = 1) {
  const uint64_t mask = (uint64_t(1) << c) - 1, half = uint64_t(1) << (c - 1);
  uint64_t carry = 0;
  for (size_t w = 0; w < windows; ++w) {
    size_t bit = w * c, limb = bit / 64, shift = bit % 64;
    uint64_t v = 0;
    if (limb < L) {
      v = k[limb] >> shift;
      if (shift + c > 64 && limb + 1 < L) v |= k[limb + 1] << (64 - shift);
    }
    v = (v & mask) + carry;
    if (v > half) {
      out[w * stride] = int16_t(int64_t(uint64_t(1) << c) - int64_t(v));
      carry = 1;
    } else {
      out[w * stride] = int16_t(-int64_t(v));
      carry = 0;
    }
  }
}

struct Plan {
  unsigned c;
  size_t slices;  // point ranges per window
};

// Minimises the per-thread cost ⌈W·s/T⌉·(m/s + α·2^(c−1)) where a bucket
// addition costs 1 and summing a bucket α (a mixed plus a full Jacobian
// addition against a ~6-multiplication batched affine one). c stops at
// max_c, set by the bucket memory.
inline Plan choose_plan(size_t m, unsigned bits, unsigned threads, unsigned forced_c,
                        unsigned max_c = kMaxWindow) {
  constexpr double kAlpha = 4.0;
  Plan best{forced_c ? forced_c : 2, 1};
  double best_cost = 1e300;
  for (unsigned c = forced_c ? forced_c : 2; c <= (forced_c ? forced_c : max_c); ++c) {
    const size_t windows = (bits + c) / c;
    for (size_t s = 1; s <= threads; ++s) {
      const size_t items = (windows * s + threads - 1) / threads;
      double cost = double(items) * (double(m) / double(s) + kAlpha * double(size_t(1) << (c - 1)));
      if (cost < best_cost) {
        best_cost = cost;
        best = {c, s};
      }
    }
  }
  return best;
}

// The MSM over prepared points (signs applied, never the identity) and L-limb
// scalar magnitudes, `bits` wide at most.
template <class C, size_t L>
curve::Jacobian<C> bucket_msm(const std::vector<AffineXY<C>>& pts,
                              const std::vector<field::Limbs<L>>& mags, unsigned bits,
                              size_t nonzero, unsigned threads, unsigned forced_c) {
  using J = curve::Jacobian<C>;
  const size_t m = pts.size();
  if (bits == 0) return J::identity();
  // Buckets beyond the per-core L2 (1 MiB here) cost more than the model
  // says: G2 at 2^18 runs ~13% slower at c = 15 (2 MiB) than at c = 14. G1
  // buckets of 2 MiB (c = 16) still pay off, both passes prefetching them.
  constexpr size_t kMaxBucketBytes =
      std::is_same_v<typename C::Field, curve::Fq2> ? size_t(1) << 20 : size_t(2) << 20;
  unsigned max_c = 2;
  while (max_c < kMaxWindow && (size_t(1) << max_c) * sizeof(AffineXY<C>) <= kMaxBucketBytes)
    ++max_c;
  const Plan plan = choose_plan(nonzero, bits, threads, forced_c, max_c);
  const unsigned c = plan.c;
  const size_t windows = (bits + c) / c;
  // Bits of the top window: its digits are at most 2^top_bits, never negative.
  const unsigned top_bits = bits - unsigned(windows - 1) * c;

  // Digits, window-major so each work item streams its window.
  std::vector<int16_t> digits(windows * m);
  base::parallel_for(m, threads, [&](size_t b, size_t e) {
    for (size_t i = b; i < e; ++i)
      signed_digits(mags[i], c, windows, &digits[i], m);
  });

  // Work items (window, slice) go to the next free thread, each with its own
  // buckets.
  const size_t items = windows * plan.slices;
  std::vector<J> partial(items);
  const size_t num_buckets = size_t(1) << (c - 1);
  const size_t batch = std::clamp<size_t>(num_buckets / 4, 16, 1024);
  base::parallel_for_each(
      items, threads, [&] { return BucketAccumulator<C>(num_buckets, batch); },
      [&](BucketAccumulator<C>& acc, size_t item) {
        const size_t w = item / plan.slices, s = item % plan.slices;
        const size_t pb = m * s / plan.slices, pe = m * (s + 1) / plan.slices;
        const int16_t* dg = &digits[w * m];
        // The top window holds only the 2^top_bits digits the scalars reach;
        // spreading each over copies (by point index) keeps batches full and
        // equal digits from colliding.
        const unsigned copies_log = w + 1 == windows ? c - 1 - top_bits : 0;
        const uint32_t copy_mask = (uint32_t(1) << copies_log) - 1;
        auto slot = [&](int d, size_t i) {
          return (uint32_t((d < 0 ? -d : d) - 1) << copies_log) | (uint32_t(i) & copy_mask);
        };
        acc.reset();
        constexpr size_t kAhead = 32;  // points: the bucket is prefetched this far ahead
        for (size_t i = pb; i < pe; ++i) {
          if (i + kAhead < pe) {
            int dn = dg[i + kAhead];
            if (dn != 0) acc.prefetch(slot(dn, i + kAhead));
          }
          int d = dg[i];  // the negated digit
          if (d != 0) acc.add(slot(d, i), &pts[i], d > 0);
        }
        acc.finish();
        partial[item] = acc.reduce(copies_log);
      });

  J result;
  for (size_t w = windows; w-- > 0;) {
    for (unsigned i = 0; i < c; ++i)
      result = result.dbl();
    for (size_t s = 0; s < plan.slices; ++s)
      result += partial[w * plan.slices + s];
  }
  return result;
}

}  // namespace detail

template <class C>
curve::Jacobian<C> pippenger(std::span<const curve::Affine<C>> points, std::span<const Fr> scalars,
                             const MsmOptions& opt = {}) {
  using J = curve::Jacobian<C>;
  using P = AffineXY<C>;
  if (points.size() != scalars.size()) {
    throw InvalidInput("MSM: " + std::to_string(points.size()) + " points but " +
                       std::to_string(scalars.size()) + " scalars");
  }
  if (opt.window != 0 && (opt.window < 2 || opt.window > kMaxWindow)) {
    throw InvalidInput("MSM window must be 2.." + std::to_string(kMaxWindow) + " bits, got " +
                       std::to_string(opt.window));
  }
  const size_t n = points.size();
  if (n == 0) return J::identity();
  const unsigned threads =
      unsigned(std::min<size_t>(base::resolve_threads(opt.threads), std::max<size_t>(1, n / 256)));

  // Statistics of the prepared scalars, merged from the parallel parts.
  struct Stats {
    unsigned bits = 0;
    size_t nonzero = 0;
    std::mutex mu;
    void merge(unsigned part_bits, size_t part_nonzero) {
      std::lock_guard lock(mu);
      bits = std::max(bits, part_bits);
      nonzero += part_nonzero;
    }
  } stats;
  auto bit_length = [](const auto& limbs) {
    for (size_t i = limbs.size(); i-- > 0;)
      if (limbs[i] != 0) return unsigned(64 * i + 64 - __builtin_clzll(limbs[i]));
    return 0u;
  };

  if (use_glv<C>(opt, n)) {
    std::vector<P> pts(2 * n);
    std::vector<field::Limbs<2>> mags(2 * n);
    const Fq& beta = curve::glv_beta<C>();
    base::parallel_for(n, threads, [&](size_t b, size_t e) {
      unsigned bits = 0;
      size_t nonzero = 0;
      for (size_t i = b; i < e; ++i) {
        const auto& p = points[i];
        field::Limbs<4> k = scalars[i].to_int();
        if (p.infinity || field::limbs_is_zero(k)) {
          mags[2 * i] = mags[2 * i + 1] = {};
          continue;
        }
        GlvScalar s = glv_split(k);
        const auto ny = -p.y;
        pts[2 * i] = {p.x, s.neg1 ? ny : p.y};
        pts[2 * i + 1] = {p.x * beta, s.neg2 ? ny : p.y};
        mags[2 * i] = {uint64_t(s.k1), uint64_t(s.k1 >> 64)};
        mags[2 * i + 1] = {uint64_t(s.k2), uint64_t(s.k2 >> 64)};
        bits = std::max({bits, bit_length(mags[2 * i]), bit_length(mags[2 * i + 1])});
        nonzero += (s.k1 != 0) + (s.k2 != 0);
      }
      stats.merge(bits, nonzero);
    });
    return detail::bucket_msm<C, 2>(pts, mags, stats.bits, stats.nonzero, threads, opt.window);
  }
  std::vector<P> pts(n);
  std::vector<field::Limbs<4>> mags(n);
  base::parallel_for(n, threads, [&](size_t b, size_t e) {
    unsigned bits = 0;
    size_t nonzero = 0;
    for (size_t i = b; i < e; ++i) {
      const auto& p = points[i];
      mags[i] = p.infinity ? field::Limbs<4>{} : scalars[i].to_int();
      if (!p.infinity) pts[i] = {p.x, p.y};
      bits = std::max(bits, bit_length(mags[i]));
      nonzero += !field::limbs_is_zero(mags[i]);
    }
    stats.merge(bits, nonzero);
  });
  return detail::bucket_msm<C, 4>(pts, mags, stats.bits, stats.nonzero, threads, opt.window);
}

}  // namespace codex::prover::msm
