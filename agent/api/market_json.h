#pragma once
// Marketplace values as the REST API shows them (spec node.md §10.1: u256 as
// decimal strings, u64 as numbers, 32-byte values as 0x-hex, CIDs as
// base58btc strings).
#include <nlohmann/json_fwd.hpp>

#include "agent/market/types.h"

namespace codex::agent {

// StorageRequest with its computed id.
nlohmann::json request_json(const market::Request& r);

}  // namespace codex::agent
