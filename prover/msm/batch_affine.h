// Bucket accumulation with batched affine additions for Pippenger (see
// pippenger.h): additions into affine buckets share one field inversion per
// batch (Montgomery's trick), so each costs about 6 multiplications instead
// of the 11 of a mixed Jacobian addition.
//
// A batch never touches the same bucket twice; colliding additions wait for
// the next batch. Doubling (bucket = P) and cancellation (bucket = −P) are
// handled exactly.
//
// Not thread-safe per object: one accumulator per thread.
#pragma once

#include <cstdint>
#include <vector>

#include "prover/curve/point.h"

namespace codex::prover::msm {

template <class C>
class BatchAffineBuckets {
 public:
  using A = curve::Affine<C>;
  using F = typename C::Field;

  // num_buckets buckets, batches of at most max_batch additions.
  BatchAffineBuckets(size_t num_buckets, size_t max_batch)
      : buckets_(num_buckets), busy_(num_buckets, 0), max_batch_(max_batch) {}

  // Empties every bucket.
  void clear() {
    for (auto& b : buckets_)
      b = A();
  }

  // Queues bucket[b] += p.
  void add(size_t b, const A& p) {
    if (p.infinity) return;
    if (busy_[b]) {
      deferred_.push_back({b, p});
      return;
    }
    A& acc = buckets_[b];
    if (acc.infinity) {
      acc = p;
      return;
    }
    bool dbl = false;
    if (acc.x == p.x) {
      if (acc.y != p.y) {  // p = −acc
        acc = A();
        return;
      }
      dbl = true;
    }
    busy_[b] = 1;
    ops_.push_back({b, p, dbl});
    dens_.push_back(dbl ? acc.y.dbl() : p.x - acc.x);
    if (ops_.size() >= max_batch_) flush();
  }

  // Completes every queued addition; the buckets are final afterwards.
  const std::vector<A>& finish() {
    flush();
    while (!deferred_.empty()) {
      std::vector<Pending> again;
      again.swap(deferred_);
      for (const auto& d : again)
        add(d.bucket, d.point);
      flush();
    }
    return buckets_;
  }

 private:
  struct Op {
    size_t bucket;
    A point;
    bool dbl;
  };
  struct Pending {
    size_t bucket;
    A point;
  };

  void flush() {
    if (ops_.empty()) return;
    batch_inverse(dens_);
    for (size_t i = 0; i < ops_.size(); ++i) {
      const Op& op = ops_[i];
      A& acc = buckets_[op.bucket];
      F lambda;
      if (op.dbl) {
        F xx = acc.x.square();
        lambda = (xx.dbl() + xx) * dens_[i];
      } else {
        lambda = (op.point.y - acc.y) * dens_[i];
      }
      F x3 = lambda.square() - acc.x - op.point.x;
      acc.y = lambda * (acc.x - x3) - acc.y;
      acc.x = x3;
      busy_[op.bucket] = 0;
    }
    ops_.clear();
    dens_.clear();
  }

  // Montgomery's trick over any field with inverse() (Fq or Fq2).
  void batch_inverse(std::vector<F>& xs) {
    prefix_.resize(xs.size());
    F acc = F::one();
    for (size_t i = 0; i < xs.size(); ++i) {
      prefix_[i] = acc;
      acc *= xs[i];
    }
    F inv = acc.inverse();
    for (size_t i = xs.size(); i-- > 0;) {
      F x = xs[i];
      xs[i] = inv * prefix_[i];
      inv *= x;
    }
  }

  std::vector<A> buckets_;
  std::vector<uint8_t> busy_;
  size_t max_batch_;
  std::vector<Op> ops_;
  std::vector<F> dens_, prefix_;
  std::vector<Pending> deferred_;
};

}  // namespace codex::prover::msm
