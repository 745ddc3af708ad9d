// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

// Request and slot types, ids and derived amounts (spec §2, §4).

type RequestId is bytes32;
type SlotId is bytes32;

struct Request {
  address client;
  Ask ask;
  Content content;
  uint64 expiry; // seconds after the request's block
  bytes32 nonce;
}

struct Ask {
  uint256 proofProbability;
  uint256 pricePerBytePerSecond;
  uint256 collateralPerByte;
  uint64 slots;
  uint64 slotSize;
  uint64 duration;
  uint64 maxSlotLoss;
}

struct Content {
  bytes cid;
  bytes32 merkleRoot; // little-endian field element
}

enum RequestState {
  New,
  Started,
  Cancelled,
  Finished,
  Failed
}

enum SlotState {
  Free,
  Filled,
  Finished,
  Failed,
  Paid,
  Cancelled,
  Repair
}

library AskHelpers {
  function collateralPerSlot(Ask memory ask) internal pure returns (uint256) {
    return ask.collateralPerByte * ask.slotSize;
  }

  function pricePerSlotPerSecond(Ask memory ask) internal pure returns (uint256) {
    return ask.pricePerBytePerSecond * ask.slotSize;
  }
}

library Requests {
  using AskHelpers for Ask;

  // abi.encode of a dynamic struct starts with the 0x20 head word, so this
  // equals keccak256 of requestStorage's calldata without the selector.
  function id(Request memory request) internal pure returns (RequestId) {
    return RequestId.wrap(keccak256(abi.encode(request)));
  }

  function slotId(RequestId requestId, uint64 slotIndex) internal pure returns (SlotId) {
    return SlotId.wrap(keccak256(abi.encode(requestId, slotIndex)));
  }

  // Paid up front by the client.
  function maxPrice(Ask memory ask) internal pure returns (uint256) {
    return uint256(ask.slots) * ask.duration * ask.pricePerSlotPerSecond();
  }
}
