// Conversion between marketplace structs and ABI values (tuple order of §2).
// Decoders throw eth::AbiError when the value does not have the expected shape
// or a narrow field (uint8/uint64) is out of range.
#pragma once

#include "agent/eth/abi_value.h"
#include "agent/market/types.h"

namespace codex::market {

eth::AbiValue to_abi(const Ask& a);
eth::AbiValue to_abi(const Request& r);
eth::AbiValue to_abi(const Groth16Proof& p);
eth::AbiValue to_abi(const MarketplaceConfig& c);

Ask ask_from_abi(const eth::AbiValue& v);
Request request_from_abi(const eth::AbiValue& v);
MarketplaceConfig config_from_abi(const eth::AbiValue& v);

// The canonical ABI type of Request (for encoding ids without a contract ABI).
const eth::AbiType& request_abi_type();

}  // namespace codex::market
