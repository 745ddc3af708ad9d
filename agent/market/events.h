// Marketplace events (spec/marketplace.md §6) as structs, decoded from logs.
#pragma once

#include <optional>
#include <variant>

#include "agent/eth/chain_types.h"
#include "agent/eth/contract_abi.h"
#include "agent/market/types.h"

namespace codex::market {

struct StorageRequested {
  RequestId request_id{};
  Ask ask;
  uint64_t expires_at = 0;  // absolute (the event carries now + expiry)
};
struct RequestFulfilled {
  RequestId request_id{};
};
struct RequestFailed {
  RequestId request_id{};
};
struct RequestCancelled {
  RequestId request_id{};
};
struct SlotFilled {
  RequestId request_id{};
  uint64_t slot_index = 0;
};
struct SlotFreed {
  RequestId request_id{};
  uint64_t slot_index = 0;
};
struct SlotReservationsFull {
  RequestId request_id{};
  uint64_t slot_index = 0;
};
struct ProofSubmitted {
  SlotId slot_id{};
};

using MarketEvent =
    std::variant<StorageRequested, RequestFulfilled, RequestFailed, RequestCancelled, SlotFilled,
                 SlotFreed, SlotReservationsFull, ProofSubmitted>;

struct DecodedEvent {
  MarketEvent event;
  uint64_t block_number = 0;
  bool removed = false;  // re-delivered because a reorg dropped it
};

// Decodes a marketplace log with the Marketplace ABI `abi`. Returns nullopt for logs
// of other events (e.g. token transfers); throws eth::AbiError for a marketplace
// topic with malformed data. Thread-safe.
std::optional<DecodedEvent> decode_event(const eth::ContractAbi& abi, const eth::Log& log);

}  // namespace codex::market
