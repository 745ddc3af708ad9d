#pragma once
// The block-exchange wire messages of /codex/blockexc/1.0.0 (spec node.md
// §8.2): the field layout the reference (nim-codex, libp2p minprotobuf)
// encodes, not its stale .proto.
//
// Encoding matches the reference byte for byte: minprotobuf writes every field
// it sets, zero values and empty byte strings included (an address's leaf = 0,
// an entry's priority, cancel, wantType and sendDontHave, the want list's
// full flag, pendingBytes, the empty account and state-channel messages), so
// a hand codec with explicit presence writes them too. Decoding accepts zero
// fields present or absent, skips unknown fields (as protoc and minprotobuf
// do), keeps the last value of a repeated scalar, and refuses with
// ProtocolError what is malformed or beyond the limits below (ours are
// tighter than the reference's 100 MiB, as the spec allows).
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "exchange/multiformats/cid.h"

namespace codex::net::blockexc {

inline constexpr std::string_view kProtocol = "/codex/blockexc/1.0.0";

// Limits of one message. A delivery message carries at most kMaxDeliveries
// blocks (the reference's batch size), each at most kMaxBlockSize with a
// proof of at most kMaxProofSize (a 2^64-leaf tree's proof is ~2.2 KiB).
inline constexpr size_t kMaxBlockSize = 1 << 20;
inline constexpr size_t kMaxProofSize = 64 << 10;
inline constexpr size_t kMaxDeliveries = 20;
inline constexpr size_t kMaxWantEntries = 1024;  // the reference's want-list batch
inline constexpr size_t kMaxPresences = 1024;
inline constexpr size_t kMaxSideBytes = 64 << 10;  // price, account, state-channel update
inline constexpr size_t kMaxMessageSize =
    kMaxDeliveries * (kMaxBlockSize + kMaxProofSize + 1024) + (512 << 10);

// A block named by its CID, or by its position in a SHA-256 tree (leaf).
struct BlockAddress {
  bool leaf = false;
  Cid tree_cid;        // leaf only
  uint64_t index = 0;  // leaf only
  Cid cid;             // non-leaf only

  static BlockAddress of_cid(Cid c) { return {false, {}, 0, std::move(c)}; }
  static BlockAddress of_leaf(Cid tree, uint64_t i) { return {true, std::move(tree), i, {}}; }
  // A stable key for maps: distinct addresses give distinct keys.
  std::string key() const;
  std::string to_string() const;
  friend bool operator==(const BlockAddress&, const BlockAddress&) = default;
};

enum class WantType : uint8_t { kWantBlock = 0, kWantHave = 1 };

struct WantEntry {
  BlockAddress address;
  int32_t priority = 0;
  bool cancel = false;
  WantType type = WantType::kWantBlock;
  bool send_dont_have = false;
  friend bool operator==(const WantEntry&, const WantEntry&) = default;
};

struct WantList {
  std::vector<WantEntry> entries;
  bool full = false;
  friend bool operator==(const WantList&, const WantList&) = default;
};

struct BlockDelivery {
  Cid cid;
  std::string data;
  BlockAddress address;
  std::optional<std::string> proof;  // serialised tree proof; leaf addresses only
  friend bool operator==(const BlockDelivery&, const BlockDelivery&) = default;
};

enum class PresenceType : uint8_t { kHave = 0, kDontHave = 1 };

struct BlockPresence {
  BlockAddress address;
  PresenceType type = PresenceType::kHave;
  std::string price;  // uint256 big-endian; empty = 0
  friend bool operator==(const BlockPresence&, const BlockPresence&) = default;
};

struct Message {
  WantList want_list;
  std::vector<BlockDelivery> deliveries;
  std::vector<BlockPresence> presences;
  uint64_t pending_bytes = 0;
  std::string account;               // AccountMessage.address (inert)
  std::string state_channel_update;  // StateChannelUpdate.update (inert)
  friend bool operator==(const Message&, const Message&) = default;
};

// The protobuf bytes (without the length prefix).
std::string encode(const Message& m);
// varint(size) ‖ encode(m) into `out` (replaced; its capacity is reused).
void encode_framed(const Message& m, std::string& out);
// Throws ProtocolError on malformed bytes, an unknown enum value, an address
// without its CID, an invalid CID, or anything over the limits above.
Message decode(std::span<const uint8_t> bytes);

}  // namespace codex::net::blockexc
