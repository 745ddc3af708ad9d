#pragma once
// libp2p peer records (RFC 0003): a peer's id, a sequence number (newer
// records have larger ones) and its listen addresses, carried in a signed
// envelope (envelope.h) of domain "libp2p-peer-record" and payload type
// 0x03 0x01 (the multicodec libp2p-peer-record as a varint). The reference
// writes one as a URI, "spr:" + unpadded base64url of the envelope (codex-dht
// spr.nim, stew's Base64Url), for `GET /spr` and `--bootstrap-node`.
//
// Plain values; thread-safe.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "exchange/net/envelope.h"
#include "exchange/net/multiaddr.h"
#include "exchange/net/node_key.h"
#include "exchange/net/peer_id.h"

namespace codex::net {

struct PeerRecord {
  static constexpr std::string_view kDomain = "libp2p-peer-record";
  static constexpr std::array<uint8_t, 2> kPayloadType = {0x03, 0x01};
  static constexpr size_t kMaxAddresses = 64;

  PeerId peer_id;
  uint64_t seq = 0;
  std::vector<Multiaddr> addresses;

  // The protobuf: peer_id (1), seq (2, always written: nim-libp2p requires
  // it), one AddressInfo (3) per address.
  std::vector<uint8_t> encode() const;
  // Throws FormatError when malformed, without a valid peer id, or with more
  // than kMaxAddresses addresses. Addresses that do not parse (a protocol
  // we do not know) are skipped, as nim-libp2p does, so a record stays usable.
  static PeerRecord decode(std::span<const uint8_t> bytes);

  friend bool operator==(const PeerRecord&, const PeerRecord&) = default;
};

class SignedPeerRecord {
 public:
  // Our record, signed with our key. Throws FormatError beyond kMaxAddresses.
  static SignedPeerRecord sign(const NodeKey& key, uint64_t seq, std::vector<Multiaddr> addresses);
  // A peer's envelope bytes: the envelope checks of Envelope::open, the
  // record parses, and the record's peer id is the signer's. Throws
  // ProtocolError (a FormatError) saying which check failed.
  static SignedPeerRecord open(std::span<const uint8_t> envelope);
  // "spr:" + base64url, padded or not. Throws ProtocolError as open() does,
  // and for a missing prefix or bad base64.
  static SignedPeerRecord from_uri(std::string_view uri);

  const PeerRecord& record() const { return record_; }
  const PeerId& peer_id() const { return record_.peer_id; }
  const Envelope& envelope() const { return envelope_; }
  std::vector<uint8_t> encode() const { return envelope_.encode(); }
  // "spr:" + unpadded base64url, as the reference prints it.
  std::string to_uri() const;

 private:
  SignedPeerRecord(Envelope envelope, PeerRecord record)
      : envelope_(std::move(envelope)), record_(std::move(record)) {}

  Envelope envelope_;
  PeerRecord record_;
};

}  // namespace codex::net
