// Recursive Length Prefix encoding (Ethereum yellow paper, appendix B).
// Encoding builds byte strings; decoding is strict: non-canonical lengths,
// truncated input, trailing bytes and nesting deeper than kMaxDepth are refused.
#pragma once

#include <cstdint>
#include <span>
#include <stdexcept>
#include <vector>

#include "agent/eth/hex.h"
#include "agent/eth/uint256.h"

namespace codex::eth::rlp {

constexpr int kMaxDepth = 32;

struct DecodeError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Encodes a byte string.
Bytes encode_bytes(std::span<const uint8_t> data);
// Encodes an unsigned integer as its minimal big-endian bytes (zero is the empty string).
Bytes encode_uint(const Uint256& v);
// Wraps already-encoded items into a list.
Bytes encode_list(const std::vector<Bytes>& encoded_items);

// A decoded item: either a byte string or a list of items.
struct Item {
  bool is_list = false;
  Bytes bytes;              // when !is_list
  std::vector<Item> items;  // when is_list

  // The string as an integer; throws DecodeError if this is a list, has a
  // leading zero byte, or is longer than 32 bytes.
  Uint256 as_uint() const;
};

// Decodes exactly one item spanning all of `data`. Throws DecodeError with the
// byte offset of the problem.
Item decode(std::span<const uint8_t> data);

}  // namespace codex::eth::rlp
