#pragma once
// A Range request header against a representation of known size (RFC 9110
// §14): one range of bytes. Pure, thread-safe.
#include <cstdint>
#include <string_view>
#include <variant>

namespace codex::agent {

// Serve the whole representation (200): no Range, a unit other than bytes,
// several ranges, or a header that does not parse (RFC 9110 lets a server
// ignore such a Range).
struct WholeRange {};
// Serve bytes [first, last] (206); last is already clamped to size − 1.
struct SatisfiableRange {
  uint64_t first;
  uint64_t last;
  uint64_t length() const { return last - first + 1; }
};
// No byte of the range exists (416 with Content-Range: bytes */size).
struct UnsatisfiableRange {};

using ByteRange = std::variant<WholeRange, SatisfiableRange, UnsatisfiableRange>;

// `header` is the Range header's value ("" when absent).
ByteRange parse_byte_range(std::string_view header, uint64_t size);

}  // namespace codex::agent
