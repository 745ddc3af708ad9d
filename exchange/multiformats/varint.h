#pragma once
// Unsigned LEB128 varints as multiformats uses them (at most 9 bytes, minimal
// encoding required).
#include <cstdint>
#include <span>
#include <string>

namespace codex::varint {

constexpr size_t kMaxBytes = 9;

// Appends the varint encoding of v to out.
void append(std::string& out, uint64_t v);
std::string encode(uint64_t v);

// Reads a varint from the front of in and advances in past it.
// Throws FormatError on truncation, overlong (non-minimal) or > 63-bit values.
uint64_t read(std::span<const uint8_t>& in);

}  // namespace codex::varint
