// The ABI codec (Solidity contract ABI specification, "Formal Specification of
// the Encoding"): head/tail layout, offsets relative to the enclosing tuple.
// Encoding checks each value against its type; decoding is strict and bounded.
#pragma once

#include <span>
#include <vector>

#include "agent/eth/abi_type.h"
#include "agent/eth/abi_value.h"

namespace codex::eth::abi {

// Encodes one value of `type`. Throws AbiError when the value's shape does not match
// the type (wrong kind, integer out of range for its width, wrong bytesN length,
// wrong fixed-array length). Pure; thread-safe.
Bytes encode(const AbiType& type, const AbiValue& value);

// Encodes a parameter list, i.e. the tuple (types...) with `values` as members.
Bytes encode_params(const std::vector<AbiType>& types, const std::vector<AbiValue>& values);

// Decodes one value of `type` from `data` (which is the encoding of the one-member
// tuple, as returned by encode). Throws AbiError on out-of-range offsets or lengths,
// truncated data, non-zero padding of value words, or bool/address/intN words out of
// range. Trailing bytes after the value are allowed (eth_call return data). Thread-safe.
AbiValue decode(const AbiType& type, std::span<const uint8_t> data);

// Decodes a parameter list (returns the members of the tuple).
std::vector<AbiValue> decode_params(const std::vector<AbiType>& types,
                                    std::span<const uint8_t> data);

// The same two operations on a prebuilt tuple type (members = the parameters);
// avoids rebuilding the type on hot paths such as log decoding.
Bytes encode_tuple(const AbiType& tuple_type, const std::vector<AbiValue>& values);
std::vector<AbiValue> decode_tuple(const AbiType& tuple_type, std::span<const uint8_t> data);

// Decodes a single 32-byte word of a static value type (used for indexed event topics).
AbiValue decode_word(const AbiType& type, std::span<const uint8_t, 32> word);

}  // namespace codex::eth::abi
