// Solidity ABI types: parsing from canonical type strings, canonical form, and
// the static/dynamic classification the codec needs.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace codex::eth {

struct AbiError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct AbiType {
  enum class Kind { Uint, Int, Address, Bool, Bytes, String, FixedBytes, Tuple, Array, FixedArray };

  Kind kind = Kind::Uint;
  unsigned bits = 256;              // Uint/Int width; FixedBytes: byte count (1..32)
  size_t length = 0;                // FixedArray element count
  std::vector<AbiType> components;  // Tuple members, or the single element of an array
  std::vector<std::string> names;   // Tuple member names (may be empty strings)

  // Parses a canonical type such as "uint64", "bytes32", "(uint256,bytes)[]", "address[3]".
  // "uint"/"int" mean 256 bits. Throws AbiError on anything else.
  static AbiType parse(std::string_view text);
  static AbiType tuple(std::vector<AbiType> members, std::vector<std::string> names = {});
  static AbiType array_of(AbiType element);
  static AbiType fixed_array_of(AbiType element, size_t n);

  // Canonical form used in signatures, e.g. "(uint256,bytes)[]".
  std::string canonical() const;
  bool is_dynamic() const;
  // Bytes this type takes in the head of its enclosing tuple (32 when dynamic).
  size_t head_size() const;
  const AbiType& element() const { return components.at(0); }
};

}  // namespace codex::eth
