#pragma once
// A multiaddr (multiformats/multiaddr): a stack of protocol components, in
// text ("/ip4/127.0.0.1/tcp/4001/p2p/16Uiu2…") and binary form (each
// component is varint(code) ‖ value; fixed-size values raw, variable-size
// ones varint(length)-prefixed), as js-multiaddr and nim-libp2p encode them.
//
// Known protocols: ip4, tcp, udp, dns, dns4, dns6, dnsaddr, ip6, p2p-circuit,
// p2p (text also "/ipfs/"; the value is the peer id multihash), quic,
// quic-v1, ws, wss. Anything else is refused: a caller that receives
// addresses from peers (peer records, identify) skips the ones it cannot read.
//
// A plain value; thread-safe.
#include <asio/ip/tcp.hpp>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "exchange/net/peer_id.h"

namespace codex::net {

class Multiaddr {
 public:
  // Protocol codes (the multicodec table).
  static constexpr uint64_t kIp4 = 0x04;
  static constexpr uint64_t kTcp = 0x06;
  static constexpr uint64_t kDns = 0x35;
  static constexpr uint64_t kDns4 = 0x36;
  static constexpr uint64_t kDns6 = 0x37;
  static constexpr uint64_t kDnsaddr = 0x38;
  static constexpr uint64_t kIp6 = 0x29;
  static constexpr uint64_t kUdp = 0x0111;
  static constexpr uint64_t kP2pCircuit = 0x0122;
  static constexpr uint64_t kP2p = 0x01a5;
  static constexpr uint64_t kQuic = 0x01cc;
  static constexpr uint64_t kQuicV1 = 0x01cd;
  static constexpr uint64_t kWs = 0x01dd;
  static constexpr uint64_t kWss = 0x01de;

  // Bounds on input from outside, in either form.
  static constexpr size_t kMaxSize = 1024;
  static constexpr size_t kMaxComponents = 16;

  struct Component {
    uint64_t code;
    std::vector<uint8_t> value;  // the binary value, without a length prefix
    friend bool operator==(const Component&, const Component&) = default;
  };

  // The empty multiaddr (no components; "" in both forms is refused by the
  // parsers, so it only comes from here).
  Multiaddr() = default;

  // Throw FormatError naming the component and the problem: an unknown
  // protocol, a bad value, a truncated or oversized input, trailing bytes.
  static Multiaddr parse(std::string_view text);
  static Multiaddr from_bytes(std::span<const uint8_t> bytes);
  // "/ip4/<ip>/tcp/<port>" or "/ip6/<ip>/tcp/<port>".
  static Multiaddr from_tcp(const asio::ip::tcp::endpoint& endpoint);

  const std::vector<Component>& components() const { return components_; }
  bool empty() const { return components_.empty(); }
  const std::vector<uint8_t>& bytes() const { return bytes_; }
  // The canonical text: ip6 in RFC 5952 form, p2p as the base58 peer id.
  std::string to_string() const;

  // The TCP endpoint of an "ip4|ip6 / tcp" address, optionally followed by
  // "/p2p/<id>"; none for any other shape (dns, udp, ws, circuits…).
  std::optional<asio::ip::tcp::endpoint> tcp_endpoint() const;
  // The peer id of a trailing "/p2p/<id>", if any.
  std::optional<PeerId> peer_id() const;
  // This address without its trailing "/p2p/<id>" (unchanged if none).
  Multiaddr without_peer_id() const;
  // This address ending in "/p2p/<id>". Throws FormatError if it already
  // ends in a different peer id.
  Multiaddr with_peer_id(const PeerId& id) const;

  friend bool operator==(const Multiaddr& a, const Multiaddr& b) { return a.bytes_ == b.bytes_; }

 private:
  explicit Multiaddr(std::vector<Component> components);

  std::vector<Component> components_;
  std::vector<uint8_t> bytes_;
};

}  // namespace codex::net
