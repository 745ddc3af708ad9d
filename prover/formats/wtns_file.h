// iden3 .wtns files, version 2 (spec/proofs.md §5.2): a full witness vector
// (wire 0 = 1 first), values in standard form, 32 bytes little-endian.
//
// The reader checks the prime, the count and section sizes, wire 0 = 1 and
// that every value is canonical; it throws InvalidInput naming the file and
// what is wrong.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "prover/field/bn254.h"

namespace codex::prover::formats {

void write_wtns(const std::string& path, std::span<const Fr> witness);
std::vector<Fr> read_wtns(const std::string& path);

}  // namespace codex::prover::formats
