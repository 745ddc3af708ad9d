// iden3 .r1cs files, version 1 (spec/proofs.md §5.1): the constraint system
// of a circuit, as snarkjs and circom write it.
//
// Wire order: [1 | public outputs | public inputs | private inputs | internal].
// Coefficients are stored in standard form; the wire → label map is written
// as the identity. The reader memory-maps the file, indexes sections by id
// (they are not in id order), checks the prime, every count and size, wire
// ids < nWires and canonical coefficients, and throws InvalidInput naming
// the file and what is wrong.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "prover/circuit/r1cs.h"

namespace codex::prover::formats {

struct R1csHeader {
  uint32_t n_wires = 0;  // including wire 0 (the constant 1)
  uint32_t n_outputs = 0;
  uint32_t n_public_inputs = 0;
  uint32_t n_private_inputs = 0;
  uint64_t n_labels = 0;
  uint32_t n_constraints = 0;

  // Public signals, not counting wire 0 (snarkjs' nPublic).
  uint32_t num_public() const { return n_outputs + n_public_inputs; }
};

struct R1cs {
  R1csHeader header;
  std::vector<circuit::Constraint> constraints;
};

// The header of a circuit built with CircuitBuilder (no outputs; the builder's
// public wires are public inputs; n_private_inputs is the circuit's count of
// declared private input signals, which the builder does not know).
R1csHeader r1cs_header_of(const circuit::CircuitBuilder& cb, uint32_t n_private_inputs);

void write_r1cs(const std::string& path, const R1csHeader& header,
                std::span<const circuit::Constraint> constraints);
R1cs read_r1cs(const std::string& path);
// Only the header (section 1), with the same checks.
R1csHeader read_r1cs_header(const std::string& path);

}  // namespace codex::prover::formats
