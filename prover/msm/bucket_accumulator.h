// The buckets of one Pippenger window, filled by batched affine additions:
// additions queued into distinct buckets share one field inversion per batch
// (Montgomery's trick), so each costs about 6 multiplications instead of the
// 11 of a mixed Jacobian addition.
//
// A point whose bucket already has an addition queued waits for the next
// batch; if its bucket is busy again then, it goes into that bucket's
// Jacobian overflow accumulator instead, so heavily repeated digits (e.g.
// many scalars equal to 1) never degrade to one addition per batch.
// Doubling (bucket = P) and cancellation (bucket = −P) are handled exactly.
//
// Points are referenced, not copied: they must outlive finish().
// Not thread-safe: one accumulator per thread.
#pragma once

#include <cstdint>
#include <cstring>
#include <type_traits>
#include <vector>

#include "prover/curve/fq2.h"
#include "prover/curve/point.h"

namespace codex::prover::msm {

// An affine point that is never the identity (64 bytes in G1).
template <class C>
struct AffineXY {
  typename C::Field x, y;
};

template <class C>
class BucketAccumulator {
 public:
  using F = typename C::Field;
  using J = curve::Jacobian<C>;
  using P = AffineXY<C>;

  // num_buckets buckets (bucket j holds multiples of j + 1), batches of
  // `batch` additions.
  BucketAccumulator(size_t num_buckets, size_t batch)
      : buckets_(num_buckets),
        state_(num_buckets, 0),
        batch_(batch),
        ops_(batch),
        dens_(batch),
        norms_(kExtension ? batch : 0),
        prefix_(batch) {
    deferred_.reserve(batch);
    pending_.reserve(batch);
  }

  // Empties every bucket.
  void reset() {
    std::memset(state_.data(), 0, state_.size());
    for (uint32_t b : overflow_used_)
      overflow_[b] = J();
    overflow_used_.clear();
  }

  // Hints that bucket b will be touched soon.
  void prefetch(uint32_t b) const { prefetch_lines<1>(&buckets_[b].p); }

  // bucket[b] += (neg ? −p : p).
  void add(uint32_t b, const P* p, bool neg) {
    if (state_[b] & kBusy) {
      deferred_.push_back({p, b, neg, false});
      if (deferred_.size() >= batch_) flush();
      return;
    }
    place(b, p, neg);
    if (count_ == batch_) flush();
  }

  // Completes every queued addition.
  void finish() { flush(); }

  // Σ ((j >> copies_log) + 1)·bucket_j, by running sums: the 2^copies_log
  // buckets j with the same j >> copies_log are copies of one bucket.
  J reduce(unsigned copies_log = 0) const {
    const size_t mask = (size_t(1) << copies_log) - 1;
    J running, sum;
    for (size_t j = buckets_.size(); j-- > 0;) {
      if (state_[j] & kFull) running += curve::Affine<C>(buckets_[j].p.x, buckets_[j].p.y);
      if (state_[j] & kOverflow) running += overflow_[j];
      if ((j & mask) == 0) sum += running;
    }
    return sum;
  }

 private:
  static constexpr uint8_t kFull = 1, kBusy = 2, kOverflow = 4;

  // Field equality by limbs (operator== of the limb arrays calls memcmp).
  static bool same(const Fq& a, const Fq& b) {
    const auto &x = a.montgomery(), &y = b.montgomery();
    return ((x[0] ^ y[0]) | (x[1] ^ y[1]) | (x[2] ^ y[2]) | (x[3] ^ y[3])) == 0;
  }
  static bool same(const curve::Fq2& a, const curve::Fq2& b) {
    return same(a.c0, b.c0) && same(a.c1, b.c1);
  }

  // Every cache line of a point (input points need not be line-aligned);
  // kWrite for buckets only: the input points are shared between threads.
  template <int kWrite>
  static void prefetch_lines(const P* p) {
    const char* bytes = reinterpret_cast<const char*>(p);
    for (size_t off = 0; off < sizeof(P); off += 64)
      __builtin_prefetch(bytes + off, kWrite, 3);
    __builtin_prefetch(bytes + sizeof(P) - 1, kWrite, 3);
  }

  // A bucket on its own cache line(s): one miss, one prefetch in G1.
  struct alignas(64) Bucket {
    P p;
  };

  struct Op {
    const P* point;
    uint32_t bucket;
    bool neg, dbl;
  };

  // Adds to a bucket that has nothing queued: fills it, cancels it, or
  // queues the addition.
  void place(uint32_t b, const P* p, bool neg) {
    P& acc = buckets_[b].p;
    if (!(state_[b] & kFull)) {
      acc.x = p->x;
      acc.y = neg ? -p->y : p->y;
      state_[b] |= kFull;
      return;
    }
    F den;
    bool dbl = false;
    if (same(acc.x, p->x)) {
      F py = neg ? -p->y : p->y;
      if (!same(acc.y, py)) {  // P + (−P)
        state_[b] &= uint8_t(~kFull);
        return;
      }
      dbl = true;
      den = acc.y.dbl();
    } else {
      den = p->x - acc.x;
    }
    state_[b] |= kBusy;
    ops_[count_] = {p, b, neg, dbl};
    dens_[count_] = den;
    prefix_[count_] = product_;
    product_ = product_ * norm(den, count_);
    ++count_;
  }

  // Runs the queued batch, then retries the deferred points once (a second
  // collision goes to the Jacobian overflow).
  void flush() {
    execute();
    pending_.swap(deferred_);
    deferred_.clear();
    for (const Op& d : pending_) {
      if (state_[d.bucket] & kBusy) {
        overflow_add(d);
      } else {
        place(d.bucket, d.point, d.neg);
        if (count_ == batch_) execute();
      }
    }
    pending_.clear();
    execute();
  }

  void overflow_add(const Op& d) {
    if (overflow_.empty()) overflow_.resize(buckets_.size());
    if (!(state_[d.bucket] & kOverflow)) {
      state_[d.bucket] |= kOverflow;
      overflow_used_.push_back(d.bucket);
    }
    curve::Affine<C> q(d.point->x, d.neg ? -d.point->y : d.point->y);
    overflow_[d.bucket] += q;
  }

  // The batched affine additions: one inversion of the product of all
  // denominators, then each inverse peeled off backwards. Two additions run
  // interleaved: their multiplication chains are independent, and a single
  // chain leaves the core waiting on multiplication latency.
  void execute() {
    if (count_ == 0) return;
    Fq inv = product_.inverse();
    // Buckets and points were last touched a batch ago (out of L1, often of
    // L2): fetch them a few additions ahead.
    constexpr size_t kAhead = 8;
    auto prefetch_op = [&](size_t j) {
      if (j >= kAhead) {
        prefetch_lines<1>(&buckets_[ops_[j - kAhead].bucket].p);
        prefetch_lines<0>(ops_[j - kAhead].point);
      }
    };
    size_t j = count_;
    for (; j >= 2; j -= 2) {
      prefetch_op(j - 1);
      prefetch_op(j - 2);
      const Op &a = ops_[j - 1], &b = ops_[j - 2];
      F dinv_a = inverse_from_norm(dens_[j - 1], inv * prefix_[j - 1]);
      inv = inv * norm_at(j - 1);
      F dinv_b = inverse_from_norm(dens_[j - 2], inv * prefix_[j - 2]);
      inv = inv * norm_at(j - 2);
      P &acc_a = buckets_[a.bucket].p, &acc_b = buckets_[b.bucket].p;
      F lambda_a = numerator(a, acc_a) * dinv_a;
      F lambda_b = numerator(b, acc_b) * dinv_b;
      F x3_a = lambda_a.square() - acc_a.x - a.point->x;
      F x3_b = lambda_b.square() - acc_b.x - b.point->x;
      acc_a.y = lambda_a * (acc_a.x - x3_a) - acc_a.y;
      acc_b.y = lambda_b * (acc_b.x - x3_b) - acc_b.y;
      acc_a.x = x3_a;
      acc_b.x = x3_b;
      state_[a.bucket] &= uint8_t(~kBusy);
      state_[b.bucket] &= uint8_t(~kBusy);
    }
    if (j == 1) {
      const Op& a = ops_[0];
      F dinv = inverse_from_norm(dens_[0], inv * prefix_[0]);
      P& acc = buckets_[a.bucket].p;
      F lambda = numerator(a, acc) * dinv;
      F x3 = lambda.square() - acc.x - a.point->x;
      acc.y = lambda * (acc.x - x3) - acc.y;
      acc.x = x3;
      state_[a.bucket] &= uint8_t(~kBusy);
    }
    count_ = 0;
    product_ = Fq::one();
  }

  // The numerator of the slope: 3x² for a doubling (the point equals the
  // bucket, so x3 = λ² − 2x still holds), else the difference of the y.
  static F numerator(const Op& op, const P& acc) {
    if (op.dbl) {
      F xx = acc.x.square();
      return xx.dbl() + xx;
    }
    return op.neg ? -(op.point->y + acc.y) : op.point->y - acc.y;
  }

  // The batch inversion runs in Fq: an Fq2 denominator d enters through its
  // norm d·d̄ (Fq), and 1/d = d̄/(d·d̄), cheaper than a chain of Fq2 products.
  static constexpr bool kExtension = std::is_same_v<F, curve::Fq2>;
  const Fq& norm_at(size_t i) const {
    if constexpr (kExtension) {
      return norms_[i];
    } else {
      return dens_[i];
    }
  }
  Fq norm(const F& d, size_t i) {
    if constexpr (kExtension) {
      Fq nd = d.norm();
      norms_[i] = nd;
      return nd;
    } else {
      return d;
    }
  }
  static F inverse_from_norm(const F& d, const Fq& inv_norm) {
    if constexpr (kExtension) {
      return F(d.c0 * inv_norm, -(d.c1 * inv_norm));
    } else {
      return inv_norm;
    }
  }

  std::vector<Bucket> buckets_;
  std::vector<uint8_t> state_;
  size_t batch_;
  std::vector<Op> ops_;
  std::vector<F> dens_;
  std::vector<Fq> norms_, prefix_;
  size_t count_ = 0;
  Fq product_ = Fq::one();
  std::vector<Op> deferred_, pending_;
  std::vector<J> overflow_;
  std::vector<uint32_t> overflow_used_;
};

}  // namespace codex::prover::msm
