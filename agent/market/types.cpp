#include "agent/market/types.h"

#include "agent/eth/abi_codec.h"
#include "agent/eth/keccak.h"
#include "agent/market/abi_mapping.h"

namespace codex::market {

RequestId request_id(const Request& r) {
  return eth::keccak256(eth::abi::encode(request_abi_type(), to_abi(r)));
}

SlotId slot_id(const RequestId& id, uint64_t slot_index) {
  Bytes pre(id.begin(), id.end());
  auto w = Uint256(slot_index).to_be_bytes();
  pre.insert(pre.end(), w.begin(), w.end());
  return eth::keccak256(pre);
}

Uint256 price_per_slot_per_second(const Ask& a) {
  return a.price_per_byte_per_second * Uint256(a.slot_size);
}
Uint256 collateral_per_slot(const Ask& a) {
  return a.collateral_per_byte * Uint256(a.slot_size);
}
Uint256 max_price(const Ask& a) {
  return Uint256(a.slots) * Uint256(a.duration) * price_per_slot_per_second(a);
}

}  // namespace codex::market
