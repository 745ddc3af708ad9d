#include "prover/ntt/blocked.h"

#include <algorithm>
#include <bit>
#include <vector>

#include "base/parallel/parallel_for.h"

namespace codex::prover::ntt::blocked {

namespace {

// Points of one column group in the row-pairing passes: the group's slice of
// every row stays in L2 across those stages.
constexpr size_t kColumnPassPoints = size_t(1) << 13;

const Fr* stage(const Domain& d, bool inverse, size_t half) {
  return (inverse ? d.inverse_stage_twiddles(half) : d.stage_twiddles(half)).data();
}

size_t reverse_bits(size_t x, size_t bits) {
  size_t r = 0;
  for (size_t i = 0; i < bits; ++i, x >>= 1)
    r = (r << 1) | (x & 1);
  return r;
}

// Gentleman–Sande butterflies of the stages half = len/2 … 1 on x[0, len).
void dif_row(Fr* x, size_t len, const Domain& d, bool inverse) {
  for (size_t h = len / 2; h > 1; h /= 2) {
    const Fr* tw = stage(d, inverse, h);
    for (Fr* p = x; p != x + len; p += 2 * h) {
      const Fr u0 = p[0], v0 = p[h];  // twiddle 1
      p[0] = u0 + v0;
      p[h] = u0 - v0;
      for (size_t j = 1; j < h; ++j) {
        const Fr u = p[j], v = p[j + h];
        p[j] = u + v;
        p[j + h] = (u - v) * tw[j];
      }
    }
  }
  if (len >= 2) {  // half 1: twiddle 1
    for (Fr* p = x; p != x + len; p += 2) {
      const Fr u = p[0], v = p[1];
      p[0] = u + v;
      p[1] = u - v;
    }
  }
}

// Cooley–Tukey butterflies of the stages half = 1 … len/2 on x[0, len).
void dit_row(Fr* x, size_t len, const Domain& d, bool inverse) {
  if (len >= 2) {
    for (Fr* p = x; p != x + len; p += 2) {
      const Fr u = p[0], v = p[1];
      p[0] = u + v;
      p[1] = u - v;
    }
  }
  for (size_t h = 2; h < len; h *= 2) {
    const Fr* tw = stage(d, inverse, h);
    for (Fr* p = x; p != x + len; p += 2 * h) {
      const Fr u0 = p[0], t0 = p[h];  // twiddle 1
      p[0] = u0 + t0;
      p[h] = u0 - t0;
      for (size_t j = 1; j < h; ++j) {
        const Fr t = p[j + h] * tw[j];
        const Fr u = p[j];
        p[j] = u + t;
        p[j + h] = u - t;
      }
    }
  }
}

// The stages that pair rows (half = hr·cols for hr = rows/2 … 1), restricted
// to columns [c0, c1) of an array of rows × cols points.
void dif_columns(Fr* a, size_t rows, size_t cols, size_t c0, size_t c1, const Domain& d,
                 bool inverse) {
  for (size_t hr = rows / 2; hr >= 1; hr /= 2) {
    const size_t h = hr * cols;
    const Fr* tw = stage(d, inverse, h);
    for (size_t rb = 0; rb < rows; rb += 2 * hr) {
      for (size_t r = 0; r < hr; ++r) {
        Fr* x = a + (rb + r) * cols;
        Fr* y = x + h;
        const Fr* w = tw + r * cols;
        for (size_t c = c0; c < c1; ++c) {
          const Fr u = x[c], v = y[c];
          x[c] = u + v;
          y[c] = (u - v) * w[c];
        }
      }
    }
  }
}

void dit_columns(Fr* a, size_t rows, size_t cols, size_t c0, size_t c1, const Domain& d,
                 bool inverse) {
  for (size_t hr = 1; hr < rows; hr *= 2) {
    const size_t h = hr * cols;
    const Fr* tw = stage(d, inverse, h);
    for (size_t rb = 0; rb < rows; rb += 2 * hr) {
      for (size_t r = 0; r < hr; ++r) {
        Fr* x = a + (rb + r) * cols;
        Fr* y = x + h;
        const Fr* w = tw + r * cols;
        for (size_t c = c0; c < c1; ++c) {
          const Fr t = y[c] * w[c];
          const Fr u = x[c];
          x[c] = u + t;
          y[c] = u - t;
        }
      }
    }
  }
}

struct Shape {
  size_t log_cols, cols, rows;
  size_t group;  // columns per group in the row-pairing passes
};

Shape shape(size_t log_n, const Plan& plan) {
  Shape s;
  s.log_cols = std::min(plan.log_block, log_n);
  s.cols = size_t(1) << s.log_cols;
  s.rows = size_t(1) << (log_n - s.log_cols);
  s.group = std::max<size_t>(1, kColumnPassPoints / s.rows);
  // Enough groups for every thread.
  while (s.group > 1 && s.cols / s.group < 4 * size_t(plan.threads))
    s.group /= 2;
  s.group = std::min(s.group, s.cols);
  return s;
}

template <class Fn>
void for_column_groups(const Shape& s, unsigned threads, Fn fn) {
  base::parallel_for(s.cols / s.group, threads,
                     [&](size_t gb, size_t ge) { fn(gb * s.group, ge * s.group); });
}

}  // namespace

Plan default_plan(size_t log_n, unsigned threads) {
  Plan p;
  p.threads = std::max(1u, threads);
  if (p.threads > 1 && log_n >= 4) p.log_block = std::min(p.log_block, log_n - 3);
  return p;
}

void dif(std::span<Fr> values, const Domain& domain, bool inverse, const Plan& plan) {
  const Shape s = shape(domain.log_size(), plan);
  Fr* a = values.data();
  if (s.rows > 1) {
    for_column_groups(s, plan.threads, [&](size_t c0, size_t c1) {
      dif_columns(a, s.rows, s.cols, c0, c1, domain, inverse);
    });
  }
  base::parallel_for(s.rows, plan.threads, [&](size_t rb, size_t re) {
    for (size_t r = rb; r < re; ++r)
      dif_row(a + r * s.cols, s.cols, domain, inverse);
  });
}

void dit(std::span<Fr> values, const Domain& domain, bool inverse, const Plan& plan) {
  const Shape s = shape(domain.log_size(), plan);
  Fr* a = values.data();
  base::parallel_for(s.rows, plan.threads, [&](size_t rb, size_t re) {
    for (size_t r = rb; r < re; ++r)
      dit_row(a + r * s.cols, s.cols, domain, inverse);
  });
  if (s.rows > 1) {
    for_column_groups(s, plan.threads, [&](size_t c0, size_t c1) {
      dit_columns(a, s.rows, s.cols, c0, c1, domain, inverse);
    });
  }
}

void evaluations_to_coset(std::span<Fr> values, const Domain& domain, const Fr& shift,
                          const Plan& plan) {
  const Shape s = shape(domain.log_size(), plan);
  const size_t log_rows = domain.log_size() - s.log_cols;
  Fr* a = values.data();
  if (s.rows > 1) {
    for_column_groups(s, plan.threads, [&](size_t c0, size_t c1) {
      dif_columns(a, s.rows, s.cols, c0, c1, domain, true);
    });
  }
  // Position r·cols + c now holds n·(coefficient k), k = rev(c)·rows + rev(r):
  // scale it by shift^k/n = (shift^rows)^rev(c) · shift^rev(r)/n.
  std::vector<Fr> col_factor(s.cols), row_factor(s.rows);
  {
    std::vector<Fr> pw(std::max(s.cols, s.rows));
    const Fr g = shift.pow(uint64_t(s.rows));
    Fr p = Fr::one();
    for (size_t k = 0; k < s.cols; ++k, p *= g)
      pw[k] = p;
    for (size_t c = 0; c < s.cols; ++c)
      col_factor[c] = pw[reverse_bits(c, s.log_cols)];
    p = domain.size_inv();
    for (size_t k = 0; k < s.rows; ++k, p *= shift)
      pw[k] = p;
    for (size_t r = 0; r < s.rows; ++r)
      row_factor[r] = pw[reverse_bits(r, log_rows)];
  }
  base::parallel_for(s.rows, plan.threads, [&](size_t rb, size_t re) {
    for (size_t r = rb; r < re; ++r) {
      Fr* x = a + r * s.cols;
      dif_row(x, s.cols, domain, true);
      const Fr u = row_factor[r];
      for (size_t c = 0; c < s.cols; ++c)
        x[c] *= col_factor[c] * u;
      dit_row(x, s.cols, domain, false);
    }
  });
  if (s.rows > 1) {
    for_column_groups(s, plan.threads, [&](size_t c0, size_t c1) {
      dit_columns(a, s.rows, s.cols, c0, c1, domain, false);
    });
  }
}

}  // namespace codex::prover::ntt::blocked
