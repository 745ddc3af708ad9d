#include "prover/formats/r1cs_file.h"

#include <string>

#include "prover/error.h"
#include "prover/formats/binfile.h"

namespace codex::prover::formats {

namespace {

constexpr uint32_t kHeader = 1, kConstraints = 2, kWireMap = 3;

void write_lc(BinFileWriter& w, const circuit::LinearCombination& lc) {
  w.u32(uint32_t(lc.terms().size()));
  for (const auto& [wire, coeff] : lc.terms()) {
    w.u32(wire);
    w.fr_standard(coeff);
  }
}

circuit::LinearCombination read_lc(ByteCursor& c, uint32_t n_wires, size_t index,
                                   const char* which) {
  uint32_t n = c.u32();
  // Each term takes 36 bytes: a cheap bound before allocating.
  if (uint64_t(n) * 36 > c.remaining())
    c.fail("constraint " + std::to_string(index) + " " + which + " claims " + std::to_string(n) +
           " terms, more than the section holds");
  circuit::LinearCombination lc;
  for (uint32_t i = 0; i < n; ++i) {
    uint32_t wire = c.u32();
    if (wire >= n_wires)
      c.fail("constraint " + std::to_string(index) + " " + which + ": wire id " +
             std::to_string(wire) + " out of range (nWires " + std::to_string(n_wires) + ")");
    lc.add(wire, read_fr_canonical(c, "coefficient"));
  }
  return lc;
}

}  // namespace

R1csHeader r1cs_header_of(const circuit::CircuitBuilder& cb, uint32_t n_private_inputs) {
  R1csHeader h;
  h.n_wires = uint32_t(cb.num_wires());
  h.n_outputs = 0;
  h.n_public_inputs = uint32_t(cb.num_public());
  h.n_private_inputs = n_private_inputs;
  h.n_labels = cb.num_wires();
  h.n_constraints = uint32_t(cb.num_constraints());
  return h;
}

void write_r1cs(const std::string& path, const R1csHeader& header,
                std::span<const circuit::Constraint> constraints) {
  if (constraints.size() != header.n_constraints)
    throw InvalidInput(path + ": header says " + std::to_string(header.n_constraints) +
                       " constraints, " + std::to_string(constraints.size()) + " given");
  if (header.n_wires == 0 ||
      uint64_t(header.num_public()) + header.n_private_inputs + 1 > header.n_wires)
    throw InvalidInput(path + ": inconsistent wire counts in the header");
  BinFileWriter w(path, "r1cs", 1, 3);
  w.begin_section(kHeader);
  w.fr_prime();
  w.u32(header.n_wires);
  w.u32(header.n_outputs);
  w.u32(header.n_public_inputs);
  w.u32(header.n_private_inputs);
  w.u64(header.n_labels);
  w.u32(header.n_constraints);
  w.end_section();
  w.begin_section(kConstraints);
  for (const auto& c : constraints) {
    for (const auto* lc : {&c.a, &c.b, &c.c}) {
      for (const auto& t : lc->terms())
        if (t.first >= header.n_wires)
          throw InvalidInput(path + ": constraint uses wire " + std::to_string(t.first) +
                             " ≥ nWires " + std::to_string(header.n_wires));
      write_lc(w, *lc);
    }
  }
  w.end_section();
  w.begin_section(kWireMap);
  for (uint64_t i = 0; i < header.n_wires; ++i)
    w.u64(i);
  w.end_section();
  w.close();
}

namespace {

R1csHeader header_from(const BinFileReader& f) {
  ByteCursor c = f.cursor(kHeader);
  expect_fr_prime(c);
  R1csHeader h;
  h.n_wires = c.u32();
  h.n_outputs = c.u32();
  h.n_public_inputs = c.u32();
  h.n_private_inputs = c.u32();
  h.n_labels = c.u64();
  h.n_constraints = c.u32();
  c.expect_end();
  if (h.n_wires == 0) c.fail("nWires is 0 (wire 0, the constant 1, is always present)");
  if (uint64_t(h.n_outputs) + h.n_public_inputs + h.n_private_inputs + 1 > h.n_wires)
    c.fail("nPubOut + nPubIn + nPrvIn + 1 exceeds nWires " + std::to_string(h.n_wires));
  return h;
}

}  // namespace

R1csHeader read_r1cs_header(const std::string& path) {
  BinFileReader f(path, "r1cs", {1});
  return header_from(f);
}

R1cs read_r1cs(const std::string& path) {
  BinFileReader f(path, "r1cs", {1});
  R1cs r;
  r.header = header_from(f);
  ByteCursor c = f.cursor(kConstraints);
  // Every constraint takes at least 12 bytes.
  if (uint64_t(r.header.n_constraints) * 12 > c.remaining())
    c.fail("section size mismatch: too small for " + std::to_string(r.header.n_constraints) +
           " constraints");
  r.constraints.reserve(r.header.n_constraints);
  for (size_t i = 0; i < r.header.n_constraints; ++i) {
    circuit::Constraint k;
    k.a = read_lc(c, r.header.n_wires, i, "A");
    k.b = read_lc(c, r.header.n_wires, i, "B");
    k.c = read_lc(c, r.header.n_wires, i, "C");
    r.constraints.push_back(std::move(k));
  }
  c.expect_end();
  if (f.has_section(kWireMap)) {
    auto m = f.section(kWireMap);
    if (m.size() != uint64_t(r.header.n_wires) * 8)
      f.fail("section 3 (wire → label map) size mismatch: " + std::to_string(m.size()) +
             " bytes for " + std::to_string(r.header.n_wires) + " wires");
  }
  return r;
}

}  // namespace codex::prover::formats
