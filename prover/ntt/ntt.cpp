#include "prover/ntt/ntt.h"

#include <algorithm>
#include <string>
#include <thread>
#include <vector>

#include "prover/error.h"

namespace codex::prover::ntt {

namespace {

// Below this many points threading costs more than it saves.
constexpr size_t kParallelThreshold = size_t(1) << 12;

unsigned thread_count(unsigned requested, size_t n) {
  if (n < kParallelThreshold) return 1;
  unsigned t = requested != 0 ? requested : std::max(1u, std::thread::hardware_concurrency());
  return std::min<unsigned>(t, unsigned(n / 1024));
}

// Runs fn(begin, end) over [0, count) split into `threads` contiguous parts.
template <class Fn>
void parallel_for(size_t count, unsigned threads, Fn fn) {
  if (threads <= 1 || count < 2) {
    fn(size_t(0), count);
    return;
  }
  threads = unsigned(std::min<size_t>(threads, count));
  std::vector<std::thread> pool;
  pool.reserve(threads - 1);
  const size_t chunk = (count + threads - 1) / threads;
  for (unsigned t = 1; t < threads; ++t) {
    size_t b = std::min(count, t * chunk), e = std::min(count, b + chunk);
    if (b < e) pool.emplace_back(fn, b, e);
  }
  fn(size_t(0), std::min(count, chunk));
  for (auto& th : pool)
    th.join();
}

void check_size(const Domain& d, std::span<Fr> v) {
  if (v.size() != d.size()) {
    throw InvalidInput("NTT input has " + std::to_string(v.size()) + " values, the domain has " +
                       std::to_string(d.size()));
  }
}

void bit_reverse(std::span<Fr> a, size_t log_n, unsigned threads) {
  if (log_n == 0) return;
  parallel_for(a.size(), threads, [&](size_t b, size_t e) {
    for (size_t i = b; i < e; ++i) {
      uint64_t x = i;
      x = ((x >> 1) & 0x5555555555555555ull) | ((x & 0x5555555555555555ull) << 1);
      x = ((x >> 2) & 0x3333333333333333ull) | ((x & 0x3333333333333333ull) << 2);
      x = ((x >> 4) & 0x0F0F0F0F0F0F0F0Full) | ((x & 0x0F0F0F0F0F0F0F0Full) << 4);
      x = __builtin_bswap64(x) >> (64 - log_n);
      if (i < x) std::swap(a[i], a[x]);
    }
  });
}

// Butterflies of one stage (block length 2·half, twiddles tw[j] = ω_{2·half}^j)
// over blocks [b, e).
inline void stage_blocks(std::span<Fr> a, const Fr* tw, size_t half, size_t b, size_t e) {
  if (half == 1) {  // ω = 1: no multiplication
    for (size_t blk = b; blk < e; ++blk) {
      Fr* x = a.data() + blk * 2;
      Fr t = x[1];
      x[1] = x[0] - t;
      x[0] = x[0] + t;
    }
    return;
  }
  for (size_t blk = b; blk < e; ++blk) {
    Fr* x = a.data() + blk * 2 * half;
    for (size_t j = 0; j < half; ++j) {
      Fr t = x[j + half] * tw[j];
      x[j + half] = x[j] - t;
      x[j] = x[j] + t;
    }
  }
}

// Iterative Cooley–Tukey on bit-reversed input. Early stages (small blocks)
// run block-parallel: each thread finishes all of them on its own contiguous
// slice; later stages split each block's butterflies across threads.
void transform(std::span<Fr> a, const Domain& d, bool inverse, unsigned threads) {
  const size_t n = a.size(), log_n = d.log_size();
  bit_reverse(a, log_n, threads);
  auto twiddles = [&](size_t half) {
    return (inverse ? d.inverse_stage_twiddles(half) : d.stage_twiddles(half)).data();
  };
  size_t log_local = log_n;
  if (threads > 1) {
    size_t lt = 0;
    while ((size_t(1) << lt) < threads)
      ++lt;
    log_local = log_n > lt ? log_n - lt : 0;
  }
  const size_t local_size = size_t(1) << log_local;
  // Stages whose blocks fit in one slice of local_size points.
  parallel_for(n / local_size, threads, [&](size_t b, size_t e) {
    for (size_t s = 1; s <= log_local; ++s) {
      size_t half = size_t(1) << (s - 1);
      size_t blocks_per_slice = local_size >> s;
      stage_blocks(a, twiddles(half), half, b * blocks_per_slice, e * blocks_per_slice);
    }
  });
  for (size_t s = log_local + 1; s <= log_n; ++s) {
    const size_t half = size_t(1) << (s - 1);
    const size_t blocks = n >> s;
    const Fr* tw = twiddles(half);
    parallel_for(half, threads, [&](size_t jb, size_t je) {
      for (size_t blk = 0; blk < blocks; ++blk) {
        Fr* x = a.data() + blk * 2 * half;
        for (size_t j = jb; j < je; ++j) {
          Fr t = x[j + half] * tw[j];
          x[j + half] = x[j] - t;
          x[j] = x[j] + t;
        }
      }
    });
  }
}

// values[i] *= c·g^i.
void scale_by_powers(std::span<Fr> v, const Fr& c, const Fr& g, unsigned threads) {
  parallel_for(v.size(), threads, [&](size_t b, size_t e) {
    Fr p = c * g.pow(uint64_t(b));
    for (size_t i = b; i < e; ++i) {
      v[i] *= p;
      p *= g;
    }
  });
}

}  // namespace

void forward(const Domain& domain, std::span<Fr> values, unsigned threads) {
  check_size(domain, values);
  transform(values, domain, false, thread_count(threads, values.size()));
}

void inverse(const Domain& domain, std::span<Fr> values, unsigned threads) {
  check_size(domain, values);
  unsigned t = thread_count(threads, values.size());
  transform(values, domain, true, t);
  const Fr s = domain.size_inv();
  parallel_for(values.size(), t, [&](size_t b, size_t e) {
    for (size_t i = b; i < e; ++i)
      values[i] *= s;
  });
}

void coset_forward(const Domain& domain, std::span<Fr> values, const Fr& shift, unsigned threads) {
  check_size(domain, values);
  unsigned t = thread_count(threads, values.size());
  scale_by_powers(values, Fr::one(), shift, t);
  transform(values, domain, false, t);
}

void coset_inverse(const Domain& domain, std::span<Fr> values, const Fr& shift, unsigned threads) {
  check_size(domain, values);
  unsigned t = thread_count(threads, values.size());
  transform(values, domain, true, t);
  // Undo the g^j scaling and the 1/n factor in one pass.
  scale_by_powers(values, domain.size_inv(), shift.inverse(), t);
}

}  // namespace codex::prover::ntt
