// Conversions where speed does not matter, done with GMP's mpz layer: integer
// strings, modular inversion, reduction of wide byte strings.
//
// All functions take little-endian 64-bit limb arrays of length n and are
// thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace codex::prover::field {

// Parses a non-negative integer in base 10 (digits only) or base 16 (optional
// "0x"/"0X" prefix, then hex digits) into n limbs.
// Throws InvalidInput if the string is empty, has any other character (signs,
// spaces), or the value does not fit in n limbs.
void parse_integer(std::string_view s, int base, uint64_t* out, size_t n);

// Decimal (base 10) or lower-case hex with "0x" prefix (base 16) of an n-limb
// integer; "0" / "0x0" for zero.
std::string format_integer(const uint64_t* a, size_t n, int base);

// r = a^{-1} mod m for 0 < a < m, gcd(a, m) = 1. Returns false (r untouched)
// if a is not invertible.
bool invert_mod(uint64_t* r, const uint64_t* a, const uint64_t* m, size_t n);

// r = (bytes read as a little-endian integer of any length) mod m.
void reduce_bytes_le(uint64_t* r, std::span<const uint8_t> bytes, const uint64_t* m, size_t n);

}  // namespace codex::prover::field
