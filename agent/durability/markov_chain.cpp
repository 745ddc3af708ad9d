#include "agent/durability/markov_chain.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <stdexcept>
#include <string>
#include <utility>

namespace codex::agent::durability {

namespace {

// Row-major states × states.
using Matrix = std::vector<double>;
// P = I + Q/Λ by rows: (column, value), all values ≥ 0.
using SparseRows = std::vector<std::vector<std::pair<std::size_t, double>>>;

constexpr double kMaxStep = 64;           // Λt/2^s of each factor
constexpr double kMaxUniformized = 1e12;  // Λt beyond this: rounding (2^s·1e-16) would not be small
constexpr std::size_t kMaxStates = 1024;  // 3 dense matrices of 8 MiB
constexpr std::size_t kMaxTerms = 2000;

// c = a·p, a dense, p sparse.
void multiply(const Matrix& a, const SparseRows& p, std::size_t n, Matrix& c) {
  std::fill(c.begin(), c.end(), 0.0);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t l = 0; l < n; ++l) {
      const double v = a[i * n + l];
      if (v == 0) continue;
      for (const auto& [j, pv] : p[l])
        c[i * n + j] += v * pv;
    }
}

// c = a·b, both dense (i-l-j order: the inner loop runs along rows of b and c).
void multiply(const Matrix& a, const Matrix& b, std::size_t n, Matrix& c) {
  std::fill(c.begin(), c.end(), 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    double* ci = &c[i * n];
    for (std::size_t l = 0; l < n; ++l) {
      const double v = a[i * n + l];
      if (v == 0) continue;
      const double* bl = &b[l * n];
      for (std::size_t j = 0; j < n; ++j)
        ci[j] += v * bl[j];
    }
  }
}

// Poisson(x) weights w_0..w_K and a bound on Σ_{k>K} w_k, with K the first index ≥ x whose
// bound is ≤ limit (or kMaxTerms).
struct PoissonWeights {
  std::vector<double> w;
  double tail = 0;
};

PoissonWeights poisson_weights(double x, double limit) {
  PoissonWeights pw;
  pw.w.push_back(std::exp(-x));
  for (std::size_t k = 1;; ++k) {
    const double next = pw.w.back() * x / double(k);
    // Σ_{j≥k} w_j ≤ w_k / (1 − x/(k+1)) once k + 1 > x (the ratios w_{j+1}/w_j fall below it).
    if (double(k) + 1 > x) {
      pw.tail = next / (1 - x / (double(k) + 1));
      if (pw.tail <= limit || k >= kMaxTerms) return pw;
    }
    pw.w.push_back(next);
  }
}

// Checks the arguments both functions share; returns each state's total exit rate.
std::vector<double> exit_rates(std::size_t states, const std::vector<Transition>& transitions,
                               std::size_t from, std::size_t to) {
  if (states == 0 || states > kMaxStates)
    throw std::invalid_argument("markov chain: " + std::to_string(states) + " states (1 to 1024)");
  if (from >= states || to >= states)
    throw std::invalid_argument("markov chain: start or target state out of range");
  std::vector<double> exit(states, 0.0);
  for (const auto& tr : transitions) {
    if (tr.from >= states || tr.to >= states || tr.from == tr.to)
      throw std::invalid_argument("markov chain: transition " + std::to_string(tr.from) + " → " +
                                  std::to_string(tr.to) + " is not between two states");
    if (!std::isfinite(tr.rate) || tr.rate < 0)
      throw std::invalid_argument("markov chain: rate must be finite and ≥ 0");
    exit[tr.from] += tr.rate;
  }
  return exit;
}

}  // namespace

double transition_probability(std::size_t states, const std::vector<Transition>& transitions,
                              std::size_t from, std::size_t to, double t) {
  const std::vector<double> exit = exit_rates(states, transitions, from, to);
  if (!std::isfinite(t) || t < 0)
    throw std::invalid_argument("markov chain: horizon must be finite and ≥ 0");
  const double lambda = *std::max_element(exit.begin(), exit.end());
  if (t == 0 || lambda == 0) return from == to ? 1.0 : 0.0;
  if (lambda * t > kMaxUniformized) {
    char buf[160];
    std::snprintf(buf, sizeof buf,
                  "markov chain: horizon × fastest exit rate is %.3g, beyond 1e12 (rounding "
                  "would grow to about that × 1e-18 relative): a shorter horizon",
                  lambda * t);
    throw std::invalid_argument(buf);
  }

  // P = I + Q/Λ: nonnegative (Λ is the largest exit rate), rows sum to 1.
  const std::size_t n = states;
  SparseRows p(n);
  for (std::size_t i = 0; i < n; ++i)
    if (exit[i] < lambda) p[i].emplace_back(i, (lambda - exit[i]) / lambda);
  for (const auto& tr : transitions)
    if (tr.rate > 0) p[tr.from].emplace_back(tr.to, tr.rate / lambda);
  for (auto& row : p) {
    std::sort(row.begin(), row.end());
    std::size_t out = 0;
    for (std::size_t i = 0; i < row.size(); ++i) {
      if (out > 0 && row[out - 1].first == row[i].first)
        row[out - 1].second += row[i].second;
      else
        row[out++] = row[i];
    }
    row.resize(out);
  }

  int s = 0;
  double x = lambda * t;
  while (x > kMaxStep) {
    x /= 2;
    ++s;
  }
  const double factors = std::ldexp(1.0, s);

  // Cutting the series at K leaves out exactly the paths with more than K uniformized jumps in
  // one of the 2^s sub-intervals: at most 2^s·tail of probability, and only ever too little.
  double limit = 1e-30;
  double result = 0;
  Matrix term(n * n), sum(n * n), scratch(n * n);
  for (int attempt = 0;; ++attempt) {
    const PoissonWeights pw = poisson_weights(x, limit / factors);
    std::fill(term.begin(), term.end(), 0.0);
    for (std::size_t i = 0; i < n; ++i)
      term[i * n + i] = 1;
    for (std::size_t i = 0; i < n * n; ++i)
      sum[i] = pw.w[0] * term[i];
    for (std::size_t k = 1; k < pw.w.size(); ++k) {
      multiply(term, p, n, scratch);
      term.swap(scratch);
      for (std::size_t i = 0; i < n * n; ++i)
        sum[i] += pw.w[k] * term[i];
    }
    // exp(Qt) = exp(Qt/2^s)^(2^s); of the last square only the entry asked for.
    for (int i = 0; i + 1 < s; ++i) {
      multiply(sum, sum, n, scratch);
      sum.swap(scratch);
    }
    if (s == 0) {
      result = sum[from * n + to];
    } else {
      result = 0;
      for (std::size_t l = 0; l < n; ++l)
        result += sum[from * n + l] * sum[l * n + to];
    }
    // Now that the result's size is known: recompute with more terms if what was left out
    // could matter (once or twice: the first result is within 1e-17 of the truth or below).
    const double wanted = std::max(1e-17 * result, 1e-300);
    if (factors * pw.tail <= wanted || attempt == 2 || pw.w.size() > kMaxTerms) break;
    limit = wanted / 10;
  }
  return result;
}

double mean_time_to_absorption(std::size_t states, const std::vector<Transition>& transitions,
                               std::size_t from, std::size_t absorbing) {
  const std::vector<double> exit = exit_rates(states, transitions, from, absorbing);
  if (exit[absorbing] > 0)
    throw std::invalid_argument("markov chain: the absorbing state has transitions out");
  if (from == absorbing) return 0;
  // The equations q_i·τ_i = c_i + Σ_j R_ij·τ_j (q_i: exit rate, R: rates between transient
  // states, c_i = 1) with state k eliminated are the same equations for the chain censored on
  // the others: R_ij += R_ik·R_kj/q_k, r_i += R_ik·r_k/q_k (r: rate to absorbing),
  // c_i += R_ik·c_k/q_k; the loop i → k → i becomes a self-loop and is dropped, and q_i is
  // re-summed from what remains (GTH), which is what the algebra gives without the subtraction.
  const std::size_t n = states;
  Matrix rate(n * n, 0.0);
  std::vector<double> to_absorbing(n, 0.0), reward(n, 1.0);
  for (const auto& tr : transitions)
    (tr.to == absorbing ? to_absorbing[tr.from] : rate[tr.from * n + tr.to]) += tr.rate;
  std::vector<bool> alive(n, true);
  alive[absorbing] = false;
  for (std::size_t k = n; k-- > 0;) {
    if (k == from || !alive[k]) continue;
    alive[k] = false;
    double q = to_absorbing[k];
    for (std::size_t j = 0; j < n; ++j)
      if (alive[j]) q += rate[k * n + j];
    for (std::size_t i = 0; i < n; ++i) {
      const double into = rate[i * n + k];
      if (!alive[i] || into == 0) continue;
      rate[i * n + k] = 0;
      if (q == 0) {  // k never leaves: from i, the mean time is infinite
        reward[i] = std::numeric_limits<double>::infinity();
        continue;
      }
      const double w = into / q;
      for (std::size_t j = 0; j < n; ++j)
        if (alive[j] && j != i) rate[i * n + j] += w * rate[k * n + j];
      to_absorbing[i] += w * to_absorbing[k];
      reward[i] += w * reward[k];
    }
  }
  if (to_absorbing[from] == 0) return std::numeric_limits<double>::infinity();
  return reward[from] / to_absorbing[from];
}

}  // namespace codex::agent::durability
