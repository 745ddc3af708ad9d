// The Poseidon2 byte hash (bytes.h: "0x01, zeros to a multiple of 31" chunks
// through the rate-2 sponge) of 8 byte strings of the same length at once, on
// permute_x8. Lane i of the result equals hash_bytes(inputs[i]).
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "prover/field/bn254.h"

namespace codex::prover::poseidon2 {

// Throws InvalidInput if the 8 inputs do not all have the same length.
std::array<Fr, 8> hash_bytes_x8(const std::array<std::span<const uint8_t>, 8>& inputs);

}  // namespace codex::prover::poseidon2
