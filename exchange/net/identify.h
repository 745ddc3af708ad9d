#pragma once
// The libp2p identify protocol (/ipfs/id/1.0.0; specs identify/README.md):
// the listener writes one Identify protobuf, varint length-prefixed, and
// closes its writing half; the dialer reads it. Identify push
// (/ipfs/id/push/1.0.0) sends the same message the other way, unrequested.
// js-libp2p and go-libp2p read at most 8 KiB; so do we.
#include <asio/awaitable.hpp>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "exchange/net/multiaddr.h"
#include "exchange/net/peer_id.h"
#include "exchange/net/peer_record.h"
#include "exchange/net/public_key.h"
#include "exchange/net/stream.h"

namespace codex::net {

constexpr std::string_view kIdentifyProtocol = "/ipfs/id/1.0.0";
constexpr std::string_view kIdentifyPushProtocol = "/ipfs/id/push/1.0.0";
constexpr std::string_view kIdentifyProtocolVersion = "ipfs/0.1.0";
constexpr size_t kMaxIdentifySize = 8192;
// Bounds on the repeated fields a peer sends (each also fits in 8 KiB).
constexpr size_t kMaxIdentifyAddrs = 64;
constexpr size_t kMaxIdentifyProtocols = 128;

struct IdentifyInfo {
  std::string protocol_version{kIdentifyProtocolVersion};
  std::string agent_version = "Codex";  // the reference's default --agent-string
  std::optional<PublicKey> public_key;
  std::vector<Multiaddr> listen_addrs;
  std::optional<Multiaddr> observed_addr;
  std::vector<std::string> protocols;
  std::optional<SignedPeerRecord> signed_peer_record;
};

// The protobuf (fields in number order).
std::vector<uint8_t> encode_identify(const IdentifyInfo& info);
// Parses a peer's message. Throws ProtocolError when malformed, oversized,
// with too many addresses or protocols, an invalid public key, or a signed
// peer record that does not open (SignedPeerRecord::open). Addresses we
// cannot read are skipped (a transport we do not speak). Checks nothing
// against the connection: identify_request does.
IdentifyInfo decode_identify(std::span<const uint8_t> bytes);

// Listener: writes `info` and closes the writing half. Throws NetError.
asio::awaitable<void> identify_serve(Stream& s, const IdentifyInfo& info);

// Dialer: reads the peer's message and checks it belongs to `expected` (the
// peer authenticated by the secure channel): the public key is present and
// its peer id is `expected`; a signed peer record, if any, is `expected`'s.
// Throws ProtocolError for a bad message, NetError when the stream fails.
// Does not close the stream.
asio::awaitable<IdentifyInfo> identify_request(Stream& s, const PeerId& expected);

}  // namespace codex::net
