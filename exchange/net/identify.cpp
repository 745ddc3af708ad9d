#include "exchange/net/identify.h"

#include <string>

#include "exchange/net/error.h"
#include "exchange/net/identify.pb.h"
#include "exchange/net/stream_io.h"

namespace codex::net {
namespace {

std::span<const uint8_t> as_bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

std::optional<Multiaddr> address_or_none(const std::string& bytes) {
  try {
    return Multiaddr::from_bytes(as_bytes(bytes));
  } catch (const FormatError&) {
    return std::nullopt;
  }
}

}  // namespace

std::vector<uint8_t> encode_identify(const IdentifyInfo& info) {
  pb::IdentifyPb msg;
  msg.set_protocol_version(info.protocol_version);
  msg.set_agent_version(info.agent_version);
  if (info.public_key) {
    const auto key = info.public_key->protobuf();
    msg.set_public_key(key.data(), key.size());
  }
  for (const auto& a : info.listen_addrs)
    msg.add_listen_addrs(a.bytes().data(), a.bytes().size());
  if (info.observed_addr)
    msg.set_observed_addr(info.observed_addr->bytes().data(), info.observed_addr->bytes().size());
  for (const auto& p : info.protocols)
    msg.add_protocols(p);
  if (info.signed_peer_record) {
    const auto spr = info.signed_peer_record->encode();
    msg.set_signed_peer_record(spr.data(), spr.size());
  }
  const std::string s = msg.SerializeAsString();
  return {s.begin(), s.end()};
}

IdentifyInfo decode_identify(std::span<const uint8_t> bytes) {
  if (bytes.size() > kMaxIdentifySize)
    throw ProtocolError("identify: message of " + std::to_string(bytes.size()) +
                        " bytes exceeds the limit of " + std::to_string(kMaxIdentifySize));
  pb::IdentifyPb msg;
  if (!msg.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
    throw ProtocolError("identify: malformed protobuf");
  if (size_t(msg.listen_addrs_size()) > kMaxIdentifyAddrs)
    throw ProtocolError("identify: " + std::to_string(msg.listen_addrs_size()) +
                        " listen addresses exceed the limit of " +
                        std::to_string(kMaxIdentifyAddrs));
  if (size_t(msg.protocols_size()) > kMaxIdentifyProtocols)
    throw ProtocolError("identify: " + std::to_string(msg.protocols_size()) +
                        " protocols exceed the limit of " + std::to_string(kMaxIdentifyProtocols));
  IdentifyInfo info;
  info.protocol_version = msg.protocol_version();
  info.agent_version = msg.agent_version();
  if (msg.has_public_key()) {
    try {
      info.public_key = PublicKey::from_protobuf(as_bytes(msg.public_key()));
    } catch (const ProtocolError& e) {
      throw ProtocolError(std::string("identify: ") + e.what());
    }
  }
  for (const auto& a : msg.listen_addrs())
    if (auto addr = address_or_none(a)) info.listen_addrs.push_back(std::move(*addr));
  if (msg.has_observed_addr()) info.observed_addr = address_or_none(msg.observed_addr());
  info.protocols.assign(msg.protocols().begin(), msg.protocols().end());
  if (msg.has_signed_peer_record()) {
    try {
      info.signed_peer_record = SignedPeerRecord::open(as_bytes(msg.signed_peer_record()));
    } catch (const ProtocolError& e) {
      throw ProtocolError(std::string("identify: ") + e.what());
    }
  }
  return info;
}

asio::awaitable<void> identify_serve(Stream& s, const IdentifyInfo& info) {
  const std::vector<uint8_t> msg = encode_identify(info);
  co_await write_length_prefixed(s, std::span<const uint8_t>(msg));
  co_await s.close_write();
}

asio::awaitable<IdentifyInfo> identify_request(Stream& s, const PeerId& expected) {
  const std::vector<uint8_t> msg = co_await read_length_prefixed(s, kMaxIdentifySize);
  IdentifyInfo info = decode_identify(msg);
  if (!info.public_key) throw ProtocolError("identify: no public key");
  const PeerId id = PeerId::from_public_key(*info.public_key);
  if (id != expected)
    throw ProtocolError("identify: public key is peer " + id.to_string() + ", not " +
                        expected.to_string());
  if (info.signed_peer_record && info.signed_peer_record->peer_id() != expected)
    throw ProtocolError("identify: signed peer record of " +
                        info.signed_peer_record->peer_id().to_string() + ", not " +
                        expected.to_string());
  co_return info;
}

}  // namespace codex::net
