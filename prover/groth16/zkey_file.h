// snarkjs Groth16 .zkey files, version 1 (spec/proofs.md §5.3).
//
// Points are affine, coordinates 32-byte LE in Montgomery form, the point at
// infinity all zeros; section 4 holds the A and B matrix entries with the
// value coef·R² mod r as a standard LE integer ("double Montgomery"), the last
// nPublic + 1 of them the A rows binding the public inputs.
//
// ZkeyReader memory-maps the file and checks, on opening: the container,
// every section size and count, the primes, the header points (on the curve,
// G2 ones in the subgroup) and every coefficient entry (matrix, row < domain,
// wire < nVars, value < r). Point sections are converted on demand, one at a
// time, with an on-curve check of every point (G1 is of prime order, so that
// is the full check); check_points() adds the G2 subgroup check of every B2
// point (slow: tests, `codex-prover info`). The prover never needs a parsed
// copy of all sections at once.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "prover/curve/g1.h"
#include "prover/curve/g2.h"
#include "prover/groth16/types.h"

namespace codex::prover::formats {
class BinFileReader;
}

namespace codex::prover::groth16 {

struct ZkeyHeader {
  uint32_t n_vars = 0;       // wires, including wire 0
  uint32_t n_public = 0;     // public signals, not counting wire 0
  uint32_t domain_size = 0;  // a power of two
  curve::G1Affine alpha1, beta1, delta1;
  curve::G2Affine beta2, gamma2, delta2;
};

// One entry of section 4. `value` is the plain coefficient (the file stores
// value·R² mod r; readers and writers convert).
struct ZkeyCoefficient {
  uint32_t matrix = 0;  // 0 = A, 1 = B
  uint32_t row = 0;     // constraint (or nConstraints + s for binding rows)
  uint32_t wire = 0;
  Fr value;
};

// Everything a .zkey holds, parsed (setup output; tests).
struct ProvingKey {
  ZkeyHeader header;
  std::vector<curve::G1Affine> ic;     // nPublic + 1
  std::vector<ZkeyCoefficient> coefs;  // A and B entries, binding rows last
  std::vector<curve::G1Affine> a, b1;  // nVars each
  std::vector<curve::G2Affine> b2;     // nVars
  std::vector<curve::G1Affine> c;      // nVars − nPublic − 1
  std::vector<curve::G1Affine> h;      // domainSize
};

// Writes sections 1–10 (10: a zero circuit hash and no contributions, which
// snarkjs' prover and exporters accept). Throws InvalidInput on inconsistent
// sizes or I/O errors.
void write_zkey(const std::string& path, const ProvingKey& pk);

class ZkeyReader {
 public:
  enum Section : uint32_t { kIc = 3, kCoefs = 4, kA = 5, kB1 = 6, kB2 = 7, kC = 8, kH = 9 };

  // Throws InvalidInput naming the file and what is wrong.
  explicit ZkeyReader(const std::string& path);
  ~ZkeyReader();
  ZkeyReader(const ZkeyReader&) = delete;
  ZkeyReader& operator=(const ZkeyReader&) = delete;

  const ZkeyHeader& header() const { return header_; }
  const std::string& path() const;
  size_t file_size() const;
  size_t num_coefficients() const { return n_coefs_; }

  // The raw coefficient entries (44 bytes each: u32 matrix, row, wire, then
  // the 32-byte value coef·R²), validated on opening.
  std::span<const uint8_t> coefficient_bytes() const;
  // Entry i, the value converted back to the plain coefficient.
  ZkeyCoefficient coefficient(size_t i) const;

  // G1 sections (kIc, kA, kB1, kC, kH) and B2, converted with an on-curve
  // check of every point (threads = 0: all cores). Throws InvalidInput naming
  // the section and point index.
  std::vector<curve::G1Affine> g1_points(Section s, unsigned threads = 0) const;
  std::vector<curve::G2Affine> b2_points(unsigned threads = 0) const;
  // Point i of a G1 section / of B2, with the on-curve check (throws
  // InvalidInput naming the section and index). REQUIRES: i < num_points(s).
  size_t num_points(Section s) const;
  curve::G1Affine g1_point(Section s, size_t i) const;
  curve::G2Affine b2_point(size_t i) const;
  // Drops a section's pages from memory (after use; re-read if needed).
  void release(Section s) const;

  // The G2 subgroup check of every B2 point (and the on-curve checks of all
  // sections). Throws InvalidInput on the first bad point.
  void check_points(unsigned threads = 0) const;

  // Everything, parsed.
  ProvingKey read_all(unsigned threads = 0) const;
  // The verification key the zkey implies (IC from section 3;
  // alphabeta12 computed as snarkjs stores it).
  VerificationKey verification_key() const;

 private:
  std::unique_ptr<formats::BinFileReader> file_;
  ZkeyHeader header_;
  size_t n_coefs_ = 0;
  std::span<const uint8_t> sections_[10];  // payloads of sections 3..9, by id
};

// e(α₁, β₂) in the form snarkjs writes as vk_alphabeta_12 (its final
// exponentiation yields the reduced pairing raised to m = 2x(6x²+3x+1)).
curve::Fq12 snarkjs_alphabeta(const curve::G1Affine& alpha1, const curve::G2Affine& beta2);

}  // namespace codex::prover::groth16
