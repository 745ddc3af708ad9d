// Hashing bytes with Poseidon2 (proofs.md §1.4): append 0x01, then zeros to a
// multiple of 31 bytes; read each 31-byte chunk as a little-endian integer
// (< 2^248 < r); hash the elements with the rate-2 sponge.
// A 2048-byte cell gives (2048 + 30) / 31 = 67 elements.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "prover/field/bn254.h"

namespace codex::prover::poseidon2 {

inline constexpr size_t kBytesPerElement = 31;

// Number of field elements of n bytes after padding: n / 31 + 1.
constexpr size_t field_elements_for_bytes(size_t n) {
  return n / kBytesPerElement + 1;
}

// The canonical limbs of padded element k of bytes (k < field_elements_for_bytes).
Fr::Repr chunk_value(std::span<const uint8_t> bytes, size_t k);

// The padded elements of bytes (field_elements_for_bytes(bytes.size()) of them).
std::vector<Fr> bytes_to_field_elements(std::span<const uint8_t> bytes);
// Same, into out. REQUIRES: out.size() == field_elements_for_bytes(bytes.size()).
void bytes_to_field_elements(std::span<const uint8_t> bytes, std::span<Fr> out);

// Rate-2 sponge over bytes_to_field_elements(bytes), without allocating.
Fr hash_bytes(std::span<const uint8_t> bytes);

}  // namespace codex::prover::poseidon2
