// A small rank-1 constraint system builder with the witness computed alongside.
//
// Wires: index 0 is the constant 1, then the public inputs, then the private
// wires (the order of the .r1cs format, proofs.md §5.1). All public inputs must
// be allocated before the first private wire.
//
// A LinearCombination is a sparse sum Σ c_i·w_i (sorted by wire, duplicate
// wires merged, zero coefficients dropped). Additions and scalings of linear
// combinations are free: they create no constraint and no wire.
//
// A Constraint {a, b, c} means ⟨a,w⟩·⟨b,w⟩ = ⟨c,w⟩ for the witness vector w.
//
//   CircuitBuilder cb;
//   Wire x = cb.add_public(Fr::from_u64(3));
//   LinearCombination y = cb.mul(x, x + LinearCombination::constant(Fr::one()));
//   assert(cb.is_satisfied());
//
// Values are plain data; a builder is not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "prover/field/bn254.h"

namespace codex::prover::circuit {

using Wire = uint32_t;
inline constexpr Wire kOneWire = 0;

class LinearCombination {
 public:
  using Term = std::pair<Wire, Fr>;

  // Zero.
  LinearCombination() = default;
  // coeff·w (implicit from a wire: coefficient 1).
  LinearCombination(Wire w, const Fr& coeff = Fr::one()) { add(w, coeff); }  // NOLINT
  // The constant c (c times wire 0).
  static LinearCombination constant(const Fr& c) { return LinearCombination(kOneWire, c); }

  // this += coeff·w (merged with an existing term on w).
  LinearCombination& add(Wire w, const Fr& coeff);
  LinearCombination& operator+=(const LinearCombination& o);
  LinearCombination& operator-=(const LinearCombination& o);
  LinearCombination& scale(const Fr& k);

  friend LinearCombination operator+(LinearCombination a, const LinearCombination& b) {
    return a += b;
  }
  friend LinearCombination operator-(LinearCombination a, const LinearCombination& b) {
    return a -= b;
  }
  friend LinearCombination operator*(const Fr& k, LinearCombination a) { return a.scale(k); }

  // ⟨this, witness⟩. Throws InvalidInput if a wire is out of range.
  Fr evaluate(std::span<const Fr> witness) const;

  // Sorted by wire, no zero coefficients.
  const std::vector<Term>& terms() const { return terms_; }
  bool is_zero() const { return terms_.empty(); }
  // Releases spare capacity (the builder does this for stored constraints).
  void shrink_to_fit() { terms_.shrink_to_fit(); }
  friend bool operator==(const LinearCombination&, const LinearCombination&) = default;

 private:
  std::vector<Term> terms_;
};

// ⟨a,w⟩·⟨b,w⟩ = ⟨c,w⟩.
struct Constraint {
  LinearCombination a, b, c;
};

class CircuitBuilder {
 public:
  // kWitnessOnly counts constraints without storing them (witness generation
  // for large circuits); constraints() is then empty and first_unsatisfied()
  // throws std::logic_error.
  enum class Mode { kFull, kWitnessOnly };

  explicit CircuitBuilder(Mode mode = Mode::kFull) : witness_{Fr::one()}, mode_(mode) {}

  // A new public input with value v. Throws InvalidInput after a private wire.
  Wire add_public(const Fr& v);
  // A new private wire with value v.
  Wire add_private(const Fr& v);

  // Appends a constraint as is (the witness may or may not satisfy it).
  // Throws InvalidInput if it references a wire not yet allocated.
  void add_constraint(Constraint c);

  // A new private wire z = ⟨a⟩·⟨b⟩ and the constraint a·b = z (1 constraint).
  Wire mul(const LinearCombination& a, const LinearCombination& b);
  Wire square(const LinearCombination& a) { return mul(a, a); }

  // The witness value of a linear combination.
  Fr value(const LinearCombination& lc) const { return lc.evaluate(witness_); }

  // Index of the first constraint the witness violates, or nullopt.
  std::optional<size_t> first_unsatisfied() const;
  bool is_satisfied() const { return !first_unsatisfied().has_value(); }

  // Overwrites a witness value (tests, debugging). Throws InvalidInput for
  // wire 0 or an unallocated wire.
  void set_value(Wire w, const Fr& v);

  size_t num_wires() const { return witness_.size(); }  // including wire 0
  size_t num_public() const { return num_public_; }
  size_t num_private() const { return witness_.size() - 1 - num_public_; }
  size_t num_constraints() const { return num_constraints_; }
  Mode mode() const { return mode_; }
  // Reserves room for n wires and n constraints (optional; saves reallocation).
  void reserve(size_t wires, size_t constraints);
  const std::vector<Constraint>& constraints() const { return constraints_; }
  // witness()[0] = 1, then public inputs, then private wires.
  const std::vector<Fr>& witness() const { return witness_; }

 private:
  void check_wires(const LinearCombination& lc, const char* what) const;

  void push(Constraint c);

  std::vector<Fr> witness_;
  size_t num_public_ = 0;
  Mode mode_;
  size_t num_constraints_ = 0;
  std::vector<Constraint> constraints_;
};

}  // namespace codex::prover::circuit
