// MarketplaceConfig from chain presets (agent/market/config_json): both shipped
// presets, and clear errors for every kind of bad input.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "agent/market/config_json.h"
#include "tests/agent/support/market_env.h"

namespace codex::market {
namespace {

using nlohmann::json;

TEST(MarketConfigJson, ShippedPresets) {
  MarketplaceConfig ref = test::chain_preset("reference");
  EXPECT_EQ(ref.proofs.period, 120u);
  EXPECT_EQ(ref.proofs.timeout, 30u);
  EXPECT_EQ(ref.proofs.downtime, 64);
  EXPECT_EQ(ref.proofs.downtime_product, 67);
  EXPECT_EQ(ref.collateral.max_number_of_slashes, 2);
  EXPECT_EQ(ref.collateral.slash_percentage, 20);
  EXPECT_EQ(ref.max_reservations, 3);
  EXPECT_EQ(ref.request_duration_limit, 2592000u);
  EXPECT_EQ(ref.proofs.zkey_hash.size(), 64u);
  MarketplaceConfig dev = test::chain_preset("devnet");
  EXPECT_EQ(dev.proofs.period, 10u);
  EXPECT_EQ(dev.proofs.timeout, 5u);
}

json good() {
  return json::parse(R"({"collateral":{"repairRewardPercentage":10,"maxNumberOfSlashes":2,
    "slashPercentage":20,"validatorRewardPercentage":20},
    "proofs":{"period":10,"timeout":5,"downtime":64,"downtimeProduct":67,"zkeyHash":""},
    "reservations":{"maxReservations":3},"requestDurationLimit":2592000})");
}

TEST(MarketConfigJson, BadInputsNameTheField) {
  EXPECT_NO_THROW(config_from_json(good()));
  struct Bad {
    std::string ptr;  // JSON pointer to change
    json value;       // null = remove
    std::string mentions;
  };
  const std::vector<Bad> bad = {
      {"/collateral/slashPercentage", 256, "collateral.slashPercentage"},
      {"/collateral/slashPercentage", -1, "collateral.slashPercentage"},
      {"/collateral/slashPercentage", "20", "collateral.slashPercentage"},
      {"/collateral/slashPercentage", 20.5, "collateral.slashPercentage"},
      {"/collateral/maxNumberOfSlashes", nullptr, "missing collateral.maxNumberOfSlashes"},
      {"/collateral/extra", 1, "unknown field collateral.extra"},
      {"/proofs/period", 0, "proofs.period"},
      {"/proofs/downtime", 300, "proofs.downtime"},
      {"/proofs/zkeyHash", 5, "proofs.zkeyHash"},
      {"/proofs", nullptr, "missing proofs"},
      {"/proofs", json::array(), "proofs must be an object"},
      {"/reservations/maxReservations", nullptr, "reservations.maxReservations"},
      {"/requestDurationLimit", "30d", "requestDurationLimit"},
      {"/token", 1, "unknown field token"},
  };
  for (const auto& b : bad) {
    json j = good();
    json::json_pointer p(b.ptr);
    if (b.value.is_null())
      j.at(p.parent_pointer()).erase(p.back());
    else
      j[p] = b.value;
    try {
      config_from_json(j);
      ADD_FAILURE() << b.ptr << " accepted";
    } catch (const ConfigError& e) {
      EXPECT_NE(std::string(e.what()).find(b.mentions), std::string::npos)
          << b.ptr << ": " << e.what();
    }
  }
  EXPECT_THROW(config_from_json(json::array()), ConfigError);
  EXPECT_THROW(config_from_json(json()), ConfigError);
}

}  // namespace
}  // namespace codex::market
