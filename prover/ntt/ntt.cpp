#include "prover/ntt/ntt.h"

#include <algorithm>
#include <string>

#include "base/parallel/parallel_for.h"
#include "prover/error.h"
#include "prover/ntt/blocked.h"

namespace codex::prover::ntt {

namespace {

// Below this many points threading costs more than it saves.
constexpr size_t kParallelThreshold = size_t(1) << 12;

unsigned thread_count(unsigned requested, size_t n) {
  if (n < kParallelThreshold) return 1;
  unsigned t = base::resolve_threads(requested);
  return std::min<unsigned>(t, unsigned(n / 1024));
}

void check_size(const Domain& d, std::span<Fr> v) {
  if (v.size() != d.size()) {
    throw InvalidInput("NTT input has " + std::to_string(v.size()) + " values, the domain has " +
                       std::to_string(d.size()));
  }
}

void bit_reverse(std::span<Fr> a, size_t log_n, unsigned threads) {
  if (log_n == 0) return;
  base::parallel_for(a.size(), threads, [&](size_t b, size_t e) {
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

// Natural order in and out: bit reversal, then the blocked Cooley–Tukey.
void transform(std::span<Fr> a, const Domain& d, bool inverse, unsigned threads) {
  bit_reverse(a, d.log_size(), threads);
  blocked::dit(a, d, inverse, blocked::default_plan(d.log_size(), threads));
}

// values[i] *= c·g^i.
void scale_by_powers(std::span<Fr> v, const Fr& c, const Fr& g, unsigned threads) {
  base::parallel_for(v.size(), threads, [&](size_t b, size_t e) {
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
  base::parallel_for(values.size(), t, [&](size_t b, size_t e) {
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

void evaluations_to_coset(const Domain& domain, std::span<Fr> values, const Fr& shift,
                          unsigned threads) {
  check_size(domain, values);
  const unsigned t = thread_count(threads, values.size());
  blocked::evaluations_to_coset(values, domain, shift, blocked::default_plan(domain.log_size(), t));
}

}  // namespace codex::prover::ntt
