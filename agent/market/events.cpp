#include "agent/market/events.h"

#include "agent/market/abi_mapping.h"

namespace codex::market {
namespace {

Hash hash_of(const eth::AbiValue& v) {
  const Bytes& b = v.as_bytes();
  if (b.size() != 32) throw eth::AbiError("market event: expected bytes32");
  Hash h;
  std::copy(b.begin(), b.end(), h.begin());
  return h;
}

}  // namespace

std::optional<DecodedEvent> decode_event(const eth::ContractAbi& abi, const eth::Log& log) {
  auto d = abi.decode_log(log.topics, log.data);
  if (!d) return std::nullopt;
  const std::string& name = d->event->name;
  const auto& v = d->values;
  DecodedEvent out;
  out.block_number = log.block_number;
  out.removed = log.removed;
  if (name == "StorageRequested")
    out.event =
        StorageRequested{hash_of(v.at(0)), ask_from_abi(v.at(1)), v.at(2).as_uint().to_u64()};
  else if (name == "RequestFulfilled")
    out.event = RequestFulfilled{hash_of(v.at(0))};
  else if (name == "RequestFailed")
    out.event = RequestFailed{hash_of(v.at(0))};
  else if (name == "RequestCancelled")
    out.event = RequestCancelled{hash_of(v.at(0))};
  else if (name == "SlotFilled")
    out.event = SlotFilled{hash_of(v.at(0)), v.at(1).as_uint().to_u64()};
  else if (name == "SlotFreed")
    out.event = SlotFreed{hash_of(v.at(0)), v.at(1).as_uint().to_u64()};
  else if (name == "SlotReservationsFull")
    out.event = SlotReservationsFull{hash_of(v.at(0)), v.at(1).as_uint().to_u64()};
  else if (name == "ProofSubmitted")
    out.event = ProofSubmitted{hash_of(v.at(0))};
  else
    return std::nullopt;
  return out;
}

}  // namespace codex::market
