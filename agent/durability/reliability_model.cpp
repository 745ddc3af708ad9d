#include "agent/durability/reliability_model.h"

#include <charconv>
#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

#include "agent/durability/markov_chain.h"

namespace codex::agent::durability {

namespace {

// A bound that keeps n·rate and the simulation's slot arrays reasonable, far beyond any code
// a storage network uses.
constexpr int kMaxData = 10000;

// S(l, f) in the order l = 0..m, f = 0..l.
std::size_t state(int l, int f) {
  return std::size_t(l) * std::size_t(l + 1) / 2 + std::size_t(f);
}

void check_duration(double v, const char* name) {
  if (!std::isfinite(v) || v <= 0)
    throw std::invalid_argument(std::string(name) + " must be a positive duration, not " +
                                std::to_string(v) + " s");
}

}  // namespace

ErasureCode parse_erasure_code(std::string_view text) {
  const auto bad = [&](const std::string& why) {
    return std::invalid_argument("erasure code '" + std::string(text) + "': " + why +
                                 " (write K+M, e.g. 3+2)");
  };
  const std::size_t plus = text.find('+');
  if (plus == std::string_view::npos) throw bad("no '+'");
  ErasureCode ec;
  const auto number = [&](std::string_view part, int& out, const char* name) {
    if (part.empty() || part.find_first_not_of("0123456789") != std::string_view::npos)
      throw bad(std::string(name) + " is not a decimal number");
    const auto [end, err] = std::from_chars(part.data(), part.data() + part.size(), out);
    if (err != std::errc() || end != part.data() + part.size())
      throw bad(std::string(name) + " is out of range");
  };
  number(text.substr(0, plus), ec.k, "K");
  number(text.substr(plus + 1), ec.m, "M");
  if (ec.k < 1) throw bad("K must be at least 1");
  if (ec.k > kMaxData) throw bad("K must be at most " + std::to_string(kMaxData));
  if (ec.m > kMaxParity) throw bad("M must be at most " + std::to_string(kMaxParity));
  return ec;
}

void validate(const ReliabilityParams& p) {
  if (p.k < 1 || p.k > kMaxData)
    throw std::invalid_argument("k = " + std::to_string(p.k) + ": data slots must be 1 to " +
                                std::to_string(kMaxData));
  if (p.m < 0 || p.m > kMaxParity)
    throw std::invalid_argument("m = " + std::to_string(p.m) + ": parity slots must be 0 to " +
                                std::to_string(kMaxParity) +
                                " (the exact chain has (m+1)(m+2)/2 + 1 states)");
  if (p.l0 < 1)
    throw std::invalid_argument("l0 = " + std::to_string(p.l0) +
                                ": a repair starts after at least 1 seen loss");
  check_duration(p.mttf, "MTTF");
  check_duration(p.mtbp, "MTBP");
  check_duration(p.mttr, "MTTR");
}

double mean_time_to_loss(const ReliabilityParams& p) {
  validate(p);
  const int n = p.k + p.m;
  const double lambda = 1 / p.mttf, mu_p = 1 / p.mtbp, mu_r = 1 / p.mttr;
  const std::size_t count = state(p.m + 1, 0);
  // A: P(lost before the next repair); E: expected time until lost or repaired. Each state
  // needs only states with more losses or more of them seen, hence the order.
  std::vector<double> a(count), e(count);
  for (int l = p.m; l >= 0; --l)
    for (int f = l; f >= 0; --f) {
      const double loss = (n - l) * lambda, seen = (l - f) * mu_p;
      const double q = loss + seen + (f >= p.l0 ? mu_r : 0);
      const double a_next = l == p.m ? 1 : a[state(l + 1, f)];
      const double e_next = l == p.m ? 0 : e[state(l + 1, f)];
      const double a_seen = f < l ? a[state(l, f + 1)] : 0;
      const double e_seen = f < l ? e[state(l, f + 1)] : 0;
      a[state(l, f)] = (loss * a_next + seen * a_seen) / q;
      e[state(l, f)] = (1 + loss * e_next + seen * e_seen) / q;
    }
  // Renewal cycles from S(0, 0): each ends lost with probability A, after E on average.
  return e[0] / a[0];
}

double paper_loss(const ReliabilityParams& p, double horizon) {
  if (!std::isfinite(horizon) || horizon < 0)
    throw std::invalid_argument("horizon must be finite and ≥ 0");
  return horizon / mean_time_to_loss(p);
}

double loss_probability(const ReliabilityParams& p, double horizon) {
  validate(p);
  if (!std::isfinite(horizon) || horizon < 0)
    throw std::invalid_argument("horizon must be finite and ≥ 0");
  const int n = p.k + p.m;
  const double lambda = 1 / p.mttf, mu_p = 1 / p.mtbp, mu_r = 1 / p.mttr;
  const std::size_t lost = state(p.m + 1, 0);
  std::vector<Transition> q;
  for (int l = 0; l <= p.m; ++l)
    for (int f = 0; f <= l; ++f) {
      const std::size_t s = state(l, f);
      q.push_back({s, l == p.m ? lost : state(l + 1, f), (n - l) * lambda});
      if (f < l) q.push_back({s, state(l, f + 1), (l - f) * mu_p});
      if (f >= p.l0) q.push_back({s, state(0, 0), mu_r});
    }
  return transition_probability(lost + 1, q, state(0, 0), lost, horizon);
}

}  // namespace codex::agent::durability
