#pragma once
// One message of the libp2p Kademlia protocol (/ipfs/kad/1.0.0, specs
// kad-dht/README.md): the protobuf Message {type 1, key 2, record 3,
// closerPeers 8, providerPeers 9, clusterLevelRaw 10} with Peer {id 1,
// addrs 2, connection 3}, each varint length-prefixed on a stream. A
// requester writes one message and reads one reply per request; a stream may
// carry several requests in turn.
//
// Input from peers is bounded: the whole message (kMaxMessageSize), the
// number of peers in each list and of addresses per peer. Addresses we cannot
// read (transports we do not speak) are skipped, like identify does.
//
// Plain values and functions; thread-safe.
#include <asio/awaitable.hpp>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "exchange/net/multiaddr.h"
#include "exchange/net/peer_id.h"
#include "exchange/net/stream.h"

namespace codex::net::kad {

constexpr std::string_view kProtocol = "/ipfs/kad/1.0.0";
// go-libp2p and js-libp2p accept up to 4 MiB; a FIND_NODE reply of 20 peers
// with their addresses needs a few KiB, and we never send more than 64 KiB.
constexpr size_t kMaxMessageSize = 64 * 1024;
constexpr size_t kMaxPeersPerList = 64;
constexpr size_t kMaxAddrsPerPeer = 32;
constexpr size_t kMaxKeySize = 256;

enum class MessageType : int32_t {
  kPutValue = 0,
  kGetValue = 1,
  kAddProvider = 2,
  kGetProviders = 3,
  kFindNode = 4,
  kPing = 5,
};

enum class Connection : int32_t {
  kNotConnected = 0,
  kConnected = 1,
  kCanConnect = 2,
  kCannotConnect = 3,
};

struct PeerInfo {
  PeerId id;
  std::vector<Multiaddr> addrs;
  Connection connection = Connection::kNotConnected;
};

struct Message {
  MessageType type = MessageType::kPing;
  std::vector<uint8_t> key;
  // PUT_VALUE / GET_VALUE records: carried as bytes, never interpreted (we
  // store no values).
  std::optional<std::vector<uint8_t>> record;
  std::vector<PeerInfo> closer;
  std::vector<PeerInfo> providers;
  int32_t cluster_level = 0;
};

std::vector<uint8_t> encode_message(const Message& m);
// Throws ProtocolError when the message is malformed, oversized, has an
// unknown type or connection, an oversized key, too many peers or addresses,
// or a peer id that is not a valid peer id multihash.
Message decode_message(std::span<const uint8_t> bytes);

// Framed on a stream. read_message throws ProtocolError (malformed) or
// NetError (stream ended or failed); read_message_or_end returns none when the
// stream ends cleanly between messages.
asio::awaitable<Message> read_message(Stream& s);
asio::awaitable<std::optional<Message>> read_message_or_end(Stream& s);
asio::awaitable<void> write_message(Stream& s, const Message& m);

const char* type_name(MessageType t);

}  // namespace codex::net::kad
