#include "agent/market/config_json.h"

#include <initializer_list>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>

namespace codex::market {
namespace {

using nlohmann::json;

const json& object(const json& parent, const char* key, const std::string& path) {
  if (!parent.contains(key)) throw ConfigError("market config: missing " + path + key);
  const json& o = parent.at(key);
  if (!o.is_object()) throw ConfigError("market config: " + path + key + " must be an object");
  return o;
}

void only(const json& o, std::initializer_list<const char*> keys, const std::string& path) {
  for (auto it = o.begin(); it != o.end(); ++it) {
    bool known = false;
    for (const char* k : keys)
      known = known || it.key() == k;
    if (!known) throw ConfigError("market config: unknown field " + path + it.key());
  }
}

uint64_t number(const json& o, const char* key, const std::string& path, uint64_t max) {
  if (!o.contains(key)) throw ConfigError("market config: missing " + path + key);
  const json& v = o.at(key);
  if (!v.is_number_unsigned() || v.get<uint64_t>() > max)
    throw ConfigError("market config: " + path + key + " must be an integer in 0.." +
                      std::to_string(max));
  return v.get<uint64_t>();
}

uint8_t u8(const json& o, const char* key, const std::string& path) {
  return static_cast<uint8_t>(number(o, key, path, 255));
}

}  // namespace

MarketplaceConfig config_from_json(const json& m) {
  if (!m.is_object()) throw ConfigError("market config: marketplace must be an object");
  only(m, {"collateral", "proofs", "reservations", "requestDurationLimit"}, "");
  MarketplaceConfig c;
  const json& col = object(m, "collateral", "");
  only(col,
       {"repairRewardPercentage", "maxNumberOfSlashes", "slashPercentage",
        "validatorRewardPercentage"},
       "collateral.");
  c.collateral.repair_reward_percentage = u8(col, "repairRewardPercentage", "collateral.");
  c.collateral.max_number_of_slashes = u8(col, "maxNumberOfSlashes", "collateral.");
  c.collateral.slash_percentage = u8(col, "slashPercentage", "collateral.");
  c.collateral.validator_reward_percentage = u8(col, "validatorRewardPercentage", "collateral.");

  const json& p = object(m, "proofs", "");
  only(p, {"period", "timeout", "downtime", "downtimeProduct", "zkeyHash"}, "proofs.");
  constexpr uint64_t u64max = std::numeric_limits<uint64_t>::max();
  c.proofs.period = number(p, "period", "proofs.", u64max);
  if (c.proofs.period == 0) throw ConfigError("market config: proofs.period must be > 0");
  c.proofs.timeout = number(p, "timeout", "proofs.", u64max);
  c.proofs.downtime = u8(p, "downtime", "proofs.");
  c.proofs.downtime_product = u8(p, "downtimeProduct", "proofs.");
  if (!p.contains("zkeyHash") || !p.at("zkeyHash").is_string())
    throw ConfigError("market config: proofs.zkeyHash must be a string");
  c.proofs.zkey_hash = p.at("zkeyHash").get<std::string>();

  const json& r = object(m, "reservations", "");
  only(r, {"maxReservations"}, "reservations.");
  c.max_reservations = u8(r, "maxReservations", "reservations.");
  c.request_duration_limit = number(m, "requestDurationLimit", "", u64max);
  return c;
}

}  // namespace codex::market
