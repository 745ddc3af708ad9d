// A decoded (or to-be-encoded) ABI value. Integers of every width are held in a
// Uint256; signed integers as their 256-bit two's complement.
#pragma once

#include <string>
#include <variant>
#include <vector>

#include "agent/eth/abi_type.h"
#include "agent/eth/address.h"
#include "agent/eth/hex.h"
#include "agent/eth/uint256.h"

namespace codex::eth {

struct AbiValue {
  using List = std::vector<AbiValue>;
  // Uint256: uint*/int*; bool; Address; Bytes: bytes and bytesN; std::string: string;
  // List: tuples and arrays (members in declaration order).
  std::variant<Uint256, bool, Address, Bytes, std::string, List> v;

  AbiValue() = default;
  AbiValue(Uint256 x) : v(x) {}                 // NOLINT
  AbiValue(uint64_t x) : v(Uint256(x)) {}       // NOLINT
  AbiValue(int x) = delete;                     // ambiguous sign: use uint64_t or from_int
  AbiValue(bool x) : v(x) {}                    // NOLINT
  AbiValue(Address x) : v(x) {}                 // NOLINT
  AbiValue(Bytes x) : v(std::move(x)) {}        // NOLINT
  AbiValue(std::string x) : v(std::move(x)) {}  // NOLINT
  AbiValue(List x) : v(std::move(x)) {}         // NOLINT

  static AbiValue from_int(int64_t x);  // two's complement into 256 bits

  // Typed accessors; throw AbiError naming the expected kind on mismatch.
  const Uint256& as_uint() const;
  int64_t as_int64() const;  // for int* values that fit 64 bits
  bool as_bool() const;
  const Address& as_address() const;
  const Bytes& as_bytes() const;
  const std::string& as_string() const;
  const List& as_list() const;
  const AbiValue& operator[](size_t i) const { return as_list().at(i); }

  friend bool operator==(const AbiValue&, const AbiValue&) = default;
};

}  // namespace codex::eth
