#include "agent/api/market_json.h"

#include <nlohmann/json.hpp>

#include "base/hex.h"
#include "exchange/multiformats/cid.h"

namespace codex::agent {

nlohmann::json request_json(const market::Request& r) {
  // The reference puts the binary CID in content.cid; other bytes are shown as hex.
  std::string cid;
  try {
    cid = Cid::from_bytes(std::span<const uint8_t>(r.content.cid)).to_string();
  } catch (const std::exception&) {
    cid = base::to_hex(r.content.cid);
  }
  return {{"id", base::to_hex(market::request_id(r))},
          {"client", r.client.hex()},
          {"ask",
           {{"slots", r.ask.slots},
            {"slotSize", r.ask.slot_size},
            {"duration", r.ask.duration},
            {"proofProbability", r.ask.proof_probability.to_dec()},
            {"pricePerBytePerSecond", r.ask.price_per_byte_per_second.to_dec()},
            {"collateralPerByte", r.ask.collateral_per_byte.to_dec()},
            {"maxSlotLoss", r.ask.max_slot_loss}}},
          {"content", {{"cid", cid}, {"merkleRoot", base::to_hex(r.content.merkle_root)}}},
          {"expiry", r.expiry},
          {"nonce", base::to_hex(r.nonce)}};
}

}  // namespace codex::agent
