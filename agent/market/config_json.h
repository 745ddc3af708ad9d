// MarketplaceConfig from the "marketplace" object of a chain preset
// (configs/chain-*.json; the field names of the contract's structs, spec §13.2).
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <stdexcept>

#include "agent/market/types.h"

namespace codex::market {

class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Strict: every field present with the right type and range (uint8 fields
// 0..255, periods > 0), no unknown fields. Throws ConfigError naming the field.
MarketplaceConfig config_from_json(const nlohmann::json& marketplace);

}  // namespace codex::market
