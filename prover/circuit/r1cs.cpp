#include "prover/circuit/r1cs.h"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "prover/error.h"

namespace codex::prover::circuit {

LinearCombination& LinearCombination::add(Wire w, const Fr& coeff) {
  if (coeff.is_zero()) return *this;
  auto it = std::lower_bound(terms_.begin(), terms_.end(), w,
                             [](const Term& t, Wire x) { return t.first < x; });
  if (it != terms_.end() && it->first == w) {
    it->second += coeff;
    if (it->second.is_zero()) terms_.erase(it);
  } else {
    terms_.insert(it, {w, coeff});
  }
  return *this;
}

LinearCombination& LinearCombination::operator+=(const LinearCombination& o) {
  // Merge of two sorted term lists.
  std::vector<Term> out;
  out.reserve(terms_.size() + o.terms_.size());
  size_t i = 0, j = 0;
  while (i < terms_.size() || j < o.terms_.size()) {
    if (j == o.terms_.size() || (i < terms_.size() && terms_[i].first < o.terms_[j].first)) {
      out.push_back(terms_[i++]);
    } else if (i == terms_.size() || o.terms_[j].first < terms_[i].first) {
      out.push_back(o.terms_[j++]);
    } else {
      Fr c = terms_[i].second + o.terms_[j].second;
      if (!c.is_zero()) out.push_back({terms_[i].first, c});
      ++i;
      ++j;
    }
  }
  terms_ = std::move(out);
  return *this;
}

LinearCombination& LinearCombination::operator-=(const LinearCombination& o) {
  LinearCombination neg = o;
  neg.scale(-Fr::one());
  return *this += neg;
}

LinearCombination& LinearCombination::scale(const Fr& k) {
  if (k.is_zero()) {
    terms_.clear();
    return *this;
  }
  for (auto& t : terms_)
    t.second *= k;
  return *this;
}

Fr LinearCombination::evaluate(std::span<const Fr> witness) const {
  Fr r;
  for (const auto& [w, c] : terms_) {
    if (w >= witness.size()) {
      throw InvalidInput("linear combination references wire " + std::to_string(w) +
                         " but the witness has " + std::to_string(witness.size()) + " wires");
    }
    r += c * witness[w];
  }
  return r;
}

Wire CircuitBuilder::add_public(const Fr& v) {
  if (num_private() != 0) {
    throw InvalidInput("public input allocated after " + std::to_string(num_private()) +
                       " private wire(s); allocate all public inputs first");
  }
  witness_.push_back(v);
  ++num_public_;
  return Wire(witness_.size() - 1);
}

Wire CircuitBuilder::add_private(const Fr& v) {
  witness_.push_back(v);
  return Wire(witness_.size() - 1);
}

void CircuitBuilder::check_wires(const LinearCombination& lc, const char* what) const {
  if (!lc.is_zero() && lc.terms().back().first >= witness_.size()) {
    throw InvalidInput(std::string("constraint ") + std::to_string(num_constraints_) + ": " + what +
                       " references wire " + std::to_string(lc.terms().back().first) + ", only " +
                       std::to_string(witness_.size()) + " allocated");
  }
}

void CircuitBuilder::push(Constraint c) {
  if (mode_ == Mode::kFull) {
    // Merged linear combinations carry spare capacity; stored ones live long.
    c.a.shrink_to_fit();
    c.b.shrink_to_fit();
    c.c.shrink_to_fit();
    constraints_.push_back(std::move(c));
  }
  ++num_constraints_;
}

void CircuitBuilder::reserve(size_t wires, size_t constraints) {
  witness_.reserve(wires);
  if (mode_ == Mode::kFull) constraints_.reserve(constraints);
}

void CircuitBuilder::add_constraint(Constraint c) {
  check_wires(c.a, "a");
  check_wires(c.b, "b");
  check_wires(c.c, "c");
  push(std::move(c));
}

Wire CircuitBuilder::mul(const LinearCombination& a, const LinearCombination& b) {
  check_wires(a, "a");
  check_wires(b, "b");
  Wire z = add_private(value(a) * value(b));
  if (mode_ == Mode::kFull) {
    // Copies: exact capacity.
    constraints_.push_back({a, b, LinearCombination(z)});
  }
  ++num_constraints_;
  return z;
}

std::optional<size_t> CircuitBuilder::first_unsatisfied() const {
  if (mode_ != Mode::kFull) {
    throw std::logic_error("first_unsatisfied: a witness-only builder keeps no constraints");
  }
  for (size_t i = 0; i < constraints_.size(); ++i) {
    const Constraint& k = constraints_[i];
    if (value(k.a) * value(k.b) != value(k.c)) return i;
  }
  return std::nullopt;
}

void CircuitBuilder::set_value(Wire w, const Fr& v) {
  if (w == kOneWire || w >= witness_.size()) {
    throw InvalidInput("cannot set witness value of wire " + std::to_string(w) + " (" +
                       std::to_string(witness_.size()) + " wires, wire 0 is the constant 1)");
  }
  witness_[w] = v;
}

}  // namespace codex::prover::circuit
