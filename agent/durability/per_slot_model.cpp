#include "agent/durability/per_slot_model.h"

#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <vector>

#include "agent/durability/markov_chain.h"

namespace codex::agent::durability {

namespace {

struct Chain {
  std::size_t states = 0;  // the last one is "lost"
  std::vector<Transition> transitions;
};

// (u, r) in the order u = 0..m, r = 0..m−u; (0, 0) is state 0.
Chain per_slot_chain(const ReliabilityParams& p) {
  validate(p);
  const int n = p.k + p.m;
  std::vector<std::vector<std::size_t>> index(std::size_t(p.m) + 1);
  std::size_t count = 0;
  for (int u = 0; u <= p.m; ++u)
    for (int r = 0; u + r <= p.m; ++r)
      index[std::size_t(u)].push_back(count++);
  const auto at = [&](int u, int r) { return index[std::size_t(u)][std::size_t(r)]; };
  Chain c;
  c.states = count + 1;
  const std::size_t lost = count;
  for (int u = 0; u <= p.m; ++u)
    for (int r = 0; u + r <= p.m; ++r) {
      const std::size_t s = at(u, r);
      c.transitions.push_back({s, u + r == p.m ? lost : at(u + 1, r), (n - u - r) / p.mttf});
      if (u > 0) c.transitions.push_back({s, at(u - 1, r + 1), u / p.mtbp});
      if (r > 0) c.transitions.push_back({s, at(u, r - 1), r / p.mttr});
    }
  return c;
}

}  // namespace

double per_slot_loss_probability(const ReliabilityParams& p, double horizon) {
  const Chain c = per_slot_chain(p);
  if (!std::isfinite(horizon) || horizon < 0)
    throw std::invalid_argument("horizon must be finite and ≥ 0");
  return transition_probability(c.states, c.transitions, 0, c.states - 1, horizon);
}

double per_slot_mean_time_to_loss(const ReliabilityParams& p) {
  const Chain c = per_slot_chain(p);
  return mean_time_to_absorption(c.states, c.transitions, 0, c.states - 1);
}

}  // namespace codex::agent::durability
