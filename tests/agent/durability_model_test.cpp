// The exact durability models (agent/durability: reliability_model.h, per_slot_model.h,
// markov_chain.h) against independent sources: closed forms (no parity: one exponential; no
// repair: the binomial tail of spec/durability.md §1.8 with its figures 0.711 and 0.776), the
// generators rebuilt here from the spec's text and solved with a pivoting Gaussian elimination
// and a Taylor matrix exponential in long double, and the survival integral.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <map>
#include <stdexcept>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "agent/durability/markov_chain.h"
#include "agent/durability/per_slot_model.h"
#include "agent/durability/reliability_model.h"

namespace {

namespace d = codex::agent::durability;
using Real = long double;
constexpr double kYear = d::kSecondsPerYear;
constexpr double kDay = 86400;

d::ReliabilityParams params(int k, int m, int l0, double mttf, double mtbp, double mttr) {
  d::ReliabilityParams p;
  p.k = k;
  p.m = m;
  p.l0 = l0;
  p.mttf = mttf;
  p.mtbp = mtbp;
  p.mttr = mttr;
  return p;
}

// A dense generator in long double; the last state is "lost", state 0 the start.
struct Generator {
  std::size_t n = 0;
  std::vector<Real> q;
  Real& at(std::size_t i, std::size_t j) { return q[i * n + j]; }
  void add(std::size_t i, std::size_t j, Real rate) {
    at(i, j) += rate;
    at(i, i) -= rate;
  }
};

// The paper's chain written from spec §1.2 on its own (states numbered by a map, not by the
// library's formula).
Generator paper_generator(const d::ReliabilityParams& p) {
  std::map<std::pair<int, int>, std::size_t> idx;
  idx[{0, 0}] = 0;
  for (int l = 0; l <= p.m; ++l)
    for (int f = 0; f <= l; ++f)
      idx.emplace(std::pair{l, f}, idx.size());
  Generator g;
  g.n = idx.size() + 1;
  g.q.assign(g.n * g.n, 0);
  const std::size_t lost = g.n - 1;
  const int n = p.k + p.m;
  for (const auto& [lf, s] : idx) {
    const auto [l, f] = lf;
    g.add(s, l < p.m ? idx.at({l + 1, f}) : lost, Real(n - l) / Real(p.mttf));
    if (l > f) g.add(s, idx.at({l, f + 1}), Real(l - f) / Real(p.mtbp));
    if (f >= p.l0) g.add(s, 0, 1 / Real(p.mttr));
  }
  return g;
}

// The contract's chain from per_slot_model.h's text: (u unseen, r under repair).
Generator per_slot_generator(const d::ReliabilityParams& p) {
  std::map<std::pair<int, int>, std::size_t> idx;
  idx[{0, 0}] = 0;
  for (int u = 0; u <= p.m; ++u)
    for (int r = 0; u + r <= p.m; ++r)
      idx.emplace(std::pair{u, r}, idx.size());
  Generator g;
  g.n = idx.size() + 1;
  g.q.assign(g.n * g.n, 0);
  const std::size_t lost = g.n - 1;
  const int n = p.k + p.m;
  for (const auto& [ur, s] : idx) {
    const auto [u, r] = ur;
    g.add(s, u + r < p.m ? idx.at({u + 1, r}) : lost, Real(n - u - r) / Real(p.mttf));
    if (u > 0) g.add(s, idx.at({u - 1, r + 1}), Real(u) / Real(p.mtbp));
    if (r > 0) g.add(s, idx.at({u, r - 1}), Real(r) / Real(p.mttr));
  }
  return g;
}

// Mean time to absorption from state 0: −Q_TT·τ = 1 by Gaussian elimination with partial
// pivoting (the textbook way the spec's recursion avoids).
Real solve_mtta(const Generator& g) {
  const std::size_t n = g.n - 1;
  std::vector<Real> a(n * n), b(n, 1);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j)
      a[i * n + j] = -g.q[i * g.n + j];
  for (std::size_t c = 0; c < n; ++c) {
    std::size_t piv = c;
    for (std::size_t r = c + 1; r < n; ++r)
      if (std::fabs(a[r * n + c]) > std::fabs(a[piv * n + c])) piv = r;
    for (std::size_t j = 0; j < n; ++j)
      std::swap(a[c * n + j], a[piv * n + j]);
    std::swap(b[c], b[piv]);
    for (std::size_t r = c + 1; r < n; ++r) {
      const Real f = a[r * n + c] / a[c * n + c];
      for (std::size_t j = c; j < n; ++j)
        a[r * n + j] -= f * a[c * n + j];
      b[r] -= f * b[c];
    }
  }
  std::vector<Real> x(n);
  for (std::size_t i = n; i-- > 0;) {
    Real s = b[i];
    for (std::size_t j = i + 1; j < n; ++j)
      s -= a[i * n + j] * x[j];
    x[i] = s / a[i * n + i];
  }
  return x[0];
}

// exp(Q·t)[0][lost] by a Taylor series of Q·t/2^s (norm ≤ 1/4, 40 terms) and s squarings, in
// long double: a different method from the library's uniformization.
Real taylor_loss(const Generator& g, Real t) {
  const std::size_t n = g.n;
  Real norm = 0;
  for (std::size_t i = 0; i < n; ++i) {
    Real row = 0;
    for (std::size_t j = 0; j < n; ++j)
      row += std::fabs(g.q[i * n + j]);
    norm = std::max(norm, row);
  }
  int s = 0;
  while (norm * t / std::ldexp(Real(1), s) > 0.25L)
    ++s;
  const Real h = t / std::ldexp(Real(1), s);
  const auto mul = [n](const std::vector<Real>& a, const std::vector<Real>& b) {
    std::vector<Real> c(n * n, 0);
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t l = 0; l < n; ++l)
        for (std::size_t j = 0; j < n; ++j)
          c[i * n + j] += a[i * n + l] * b[l * n + j];
    return c;
  };
  std::vector<Real> a(n * n), term(n * n, 0), sum(n * n, 0);
  for (std::size_t i = 0; i < n * n; ++i)
    a[i] = g.q[i] * h;
  for (std::size_t i = 0; i < n; ++i)
    term[i * n + i] = sum[i * n + i] = 1;
  for (int k = 1; k <= 40; ++k) {
    term = mul(term, a);
    for (std::size_t i = 0; i < n * n; ++i) {
      term[i] /= k;
      sum[i] += term[i];
    }
  }
  for (int i = 0; i < s; ++i)
    sum = mul(sum, sum);
  return sum[n - 1];
}

// P(more than m of n slots lost by t) with no repair: spec §1.8's binomial tail.
Real binomial_tail(int n, int m, double mttf, double t) {
  const Real p = -std::expm1(-Real(t) / Real(mttf));
  Real tail = 0;
  for (int i = m + 1; i <= n; ++i) {
    Real c = 1;
    for (int j = 0; j < i; ++j)
      c = c * Real(n - j) / Real(j + 1);
    tail += c * std::pow(p, Real(i)) * std::pow(1 - p, Real(n - i));
  }
  return tail;
}

double rel(double a, double b) {
  return std::fabs(a - b) / std::fabs(b);
}

TEST(DurabilityModel, ParsesErasureCodes) {
  const d::ErasureCode ec = d::parse_erasure_code("3+2");
  EXPECT_EQ(ec.k, 3);
  EXPECT_EQ(ec.m, 2);
  EXPECT_EQ(d::parse_erasure_code("1+0").m, 0);
  EXPECT_EQ(d::parse_erasure_code("10+40").m, 40);
  for (const char* bad : {"", "3", "3-2", "+2", "3+", "0+2", "3+41", "-3+2", "3+-2", "a+b", " 3+2",
                          "3+2 ", "3.0+2", "99999999999999999999+1", "3+2+1"})
    EXPECT_THROW(d::parse_erasure_code(bad), std::invalid_argument) << bad;
}

TEST(DurabilityModel, RefusesParametersOutOfRange) {
  const auto good = params(3, 2, 1, kYear, kDay, kDay);
  EXPECT_NO_THROW(d::validate(good));
  auto p = good;
  p.k = 0;
  EXPECT_THROW(d::mean_time_to_loss(p), std::invalid_argument);
  p = good;
  p.m = 41;
  EXPECT_THROW(d::loss_probability(p, kYear), std::invalid_argument);
  p.m = -1;
  EXPECT_THROW(d::validate(p), std::invalid_argument);
  p = good;
  p.l0 = 0;
  EXPECT_THROW(d::validate(p), std::invalid_argument);
  for (double bad : {0.0, -1.0, double(NAN), double(INFINITY)}) {
    p = good;
    p.mttf = bad;
    EXPECT_THROW(d::validate(p), std::invalid_argument) << bad;
    p = good;
    p.mtbp = bad;
    EXPECT_THROW(d::validate(p), std::invalid_argument) << bad;
    p = good;
    p.mttr = bad;
    EXPECT_THROW(d::validate(p), std::invalid_argument) << bad;
  }
  EXPECT_THROW(d::loss_probability(good, -1), std::invalid_argument);
  EXPECT_THROW(d::loss_probability(good, NAN), std::invalid_argument);
  EXPECT_THROW(d::paper_loss(good, INFINITY), std::invalid_argument);
  EXPECT_EQ(d::loss_probability(good, 0), 0);
  // The largest chain, and l0 > m (repair never starts), are valid.
  EXPECT_GT(d::mean_time_to_loss(params(30, 40, 1, kYear, kDay, kDay)), 0);
  EXPECT_GT(d::loss_probability(params(3, 2, 7, kYear, kDay, kDay), kYear), 0);
}

TEST(DurabilityModel, WithoutParityTheFirstLossIsFatal) {
  for (int l0 : {1, 3}) {
    const auto p = params(4, 0, l0, 2 * kYear, kDay, kDay);
    EXPECT_LT(rel(d::mean_time_to_loss(p), 2 * kYear / 4), 1e-15);
    EXPECT_LT(rel(d::loss_probability(p, kYear), -std::expm1(-4 * kYear / (2 * kYear))), 1e-13);
    EXPECT_LT(rel(d::paper_loss(p, kYear), 2.0), 1e-15);
  }
}

TEST(DurabilityModel, WithoutRepairLossIsTheBinomialTail) {
  // Spec §1.8: MTTF 1 year, no repair, one year.
  EXPECT_NEAR(d::loss_probability(params(5, 5, 6, kYear, kDay, kDay), kYear), 0.711, 5e-4);
  EXPECT_NEAR(d::loss_probability(params(7, 7, 8, kYear, kDay, kDay), kYear), 0.776, 5e-4);
  struct Case {
    int k, m;
    double mttf, t;
  };
  for (const Case c :
       {Case{5, 5, kYear, kYear}, Case{7, 7, kYear, kYear}, Case{3, 2, 5 * kYear, kYear},
        Case{2, 1, kYear, 3 * kYear}, Case{10, 10, kYear, kDay}}) {
    const auto p = params(c.k, c.m, c.m + 1, c.mttf, kDay, kDay);
    const double want = double(binomial_tail(c.k + c.m, c.m, c.mttf, c.t));
    // The last case is 1e-23: relative precision holds there too.
    EXPECT_LT(rel(d::loss_probability(p, c.t), want), 1e-11) << c.k << "+" << c.m << " " << want;
    // Without repair the loss is the (m+1)-th of n exponential lifetimes.
    double mtta = 0;
    for (int l = 0; l <= c.m; ++l)
      mtta += c.mttf / (c.k + c.m - l);
    EXPECT_LT(rel(d::mean_time_to_loss(p), mtta), 1e-14);
  }
  EXPECT_LT(d::loss_probability(params(10, 10, 11, kYear, kDay, kDay), kDay), 1e-20);
}

TEST(DurabilityModel, MttaRecursionMatchesALinearSolve) {
  for (const auto& p :
       {params(2, 1, 1, kYear, kDay, kDay), params(3, 2, 1, kYear, kDay, kDay),
        params(3, 2, 2, kYear, 7 * kDay, 3 * kDay), params(4, 3, 2, 60 * kDay, 7 * kDay, kDay),
        params(5, 5, 3, kYear, kDay, 2 * kDay), params(6, 4, 5, 90 * kDay, 30 * kDay, kDay)}) {
    const Generator g = paper_generator(p);
    const double mtta = d::mean_time_to_loss(p);
    EXPECT_LT(rel(mtta, double(solve_mtta(g))), 1e-10) << p.k << "+" << p.m << " l0 " << p.l0;
    EXPECT_LT(rel(d::paper_loss(p, kYear), kYear / mtta), 1e-15);
  }
}

TEST(DurabilityModel, MttaIsTheIntegralOfSurvival) {
  // E[T] = ∫ P(T > t) dt, with P(T ≤ t) from the matrix exponential; Simpson's rule on
  // [0, 40·MTTA] (the tail beyond is below e^-35 of it).
  const auto p = params(2, 1, 1, 1.0, 0.5, 0.25);
  const double mtta = d::mean_time_to_loss(p);
  const int steps = 2000;
  const double end = 40 * mtta, h = end / steps;
  double integral = 0;
  for (int i = 0; i <= steps; ++i) {
    const double w = (i == 0 || i == steps) ? 1 : (i % 2 ? 4 : 2);
    integral += w * (1 - d::loss_probability(p, i * h));
  }
  integral *= h / 3;
  EXPECT_LT(rel(integral, mtta), 1e-6) << integral << " vs " << mtta;
}

TEST(DurabilityModel, LossProbabilityMatchesATaylorExponential) {
  for (const auto& p :
       {params(2, 1, 1, kYear, kDay, kDay), params(3, 2, 1, kYear, kDay, kDay),
        params(3, 2, 2, kYear, 7 * kDay, 3 * kDay), params(4, 3, 1, 60 * kDay, 7 * kDay, kDay),
        params(5, 5, 1, kYear, kDay, kDay), params(10, 10, 1, kYear, kDay, kDay)}) {
    // 10+10 gives 2.5e-13.
    const double got = d::loss_probability(p, kYear);
    const double want = double(taylor_loss(paper_generator(p), kYear));
    EXPECT_LT(rel(got, want), 1e-11)
        << p.k << "+" << p.m << " l0 " << p.l0 << ": " << got << " vs " << want;
  }
}

TEST(DurabilityModel, RareLossesComeAtRateOneOverMtta) {
  // When losses are rare the time to loss is nearly exponential: P ≈ 1 − e^(−T/MTTA). Starting
  // from every slot alive, the first loss comes a little later than from the chain's
  // quasi-stationary state (a lag of days here): at T = 1 year that shows as a relative
  // difference of about 1.5% for 5+5, which the lag over a longer T makes small.
  const auto p = params(5, 5, 1, kYear, kDay, kDay);
  const double mtta = d::mean_time_to_loss(p);
  for (double years : {1.0, 1000.0}) {
    const double t = years * kYear;
    const double exact = d::loss_probability(p, t);
    const double rare = -std::expm1(-t / mtta);
    EXPECT_LT(rel(exact, rare), 0.03 / years) << years;
    EXPECT_LT(exact, rare);
    // The lag, T − MTTA·(−log(1 − P)), is the same at both horizons.
    const double lag = t + mtta * std::log1p(-exact);
    EXPECT_GT(lag, 0.5 * kDay);
    EXPECT_LT(lag, 20 * kDay);
  }
  const double lag1 = kYear + mtta * std::log1p(-d::loss_probability(p, kYear));
  const double lag1000 = 1000 * kYear + mtta * std::log1p(-d::loss_probability(p, 1000 * kYear));
  EXPECT_LT(rel(lag1000, lag1), 1e-3);
}

TEST(DurabilityModel, PerSlotChainMatchesIndependentSolutions) {
  for (const auto& p : {params(3, 2, 1, kYear, kDay, kDay), params(3, 2, 1, kYear, 30 * kDay, kDay),
                        params(5, 5, 1, kYear, kDay, 2 * kDay),
                        params(6, 3, 1, 180 * kDay, 30 * kDay, 10 * kDay)}) {
    const Generator g = per_slot_generator(p);
    EXPECT_LT(rel(d::per_slot_mean_time_to_loss(p), double(solve_mtta(g))), 1e-10);
    EXPECT_LT(rel(d::per_slot_loss_probability(p, kYear), double(taylor_loss(g, kYear))), 1e-11);
    // A lost slot is out for exp(MTBP) + exp(MTTR): the two can be swapped.
    auto swapped = p;
    std::swap(swapped.mtbp, swapped.mttr);
    EXPECT_LT(
        rel(d::per_slot_loss_probability(swapped, kYear), d::per_slot_loss_probability(p, kYear)),
        1e-11);
  }
  // With one parity slot there is only ever one slot to repair: the contract's chain and the
  // paper's with l0 = 1 are the same.
  const auto p = params(2, 1, 1, kYear, kDay, kDay);
  EXPECT_LT(rel(d::per_slot_loss_probability(p, kYear), d::loss_probability(p, kYear)), 1e-12);
  EXPECT_LT(rel(d::per_slot_mean_time_to_loss(p), d::mean_time_to_loss(p)), 1e-12);
}

TEST(DurabilityModel, MarkovChainRefusesBadChainsAndSeesInfiniteTimes) {
  using d::Transition;
  EXPECT_THROW(d::transition_probability(0, {}, 0, 0, 1), std::invalid_argument);
  EXPECT_THROW(d::transition_probability(2, {{0, 2, 1}}, 0, 1, 1), std::invalid_argument);
  EXPECT_THROW(d::transition_probability(2, {{0, 0, 1}}, 0, 1, 1), std::invalid_argument);
  EXPECT_THROW(d::transition_probability(2, {{0, 1, -1}}, 0, 1, 1), std::invalid_argument);
  EXPECT_THROW(d::transition_probability(2, {{0, 1, 1}}, 0, 1, -1), std::invalid_argument);
  EXPECT_THROW(d::mean_time_to_absorption(2, {{1, 0, 1}}, 0, 1), std::invalid_argument);
  // Two states, rate 2: P = 1 − e^(−2t), mean 1/2.
  EXPECT_LT(rel(d::transition_probability(2, {{0, 1, 2}}, 0, 1, 0.3), -std::expm1(-0.6)), 1e-15);
  EXPECT_LT(rel(d::mean_time_to_absorption(2, {{0, 1, 2}}, 0, 1), 0.5), 1e-15);
  // 0 → 1 and 0 → 2 (absorbing); 1 is a trap: absorption is not certain, the mean infinite.
  EXPECT_EQ(d::mean_time_to_absorption(3, {{0, 1, 1}, {0, 2, 1}}, 0, 2), INFINITY);
  EXPECT_EQ(d::mean_time_to_absorption(3, {{0, 1, 1}, {1, 0, 1}}, 0, 2), INFINITY);
}

}  // namespace
