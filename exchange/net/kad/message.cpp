#include "exchange/net/kad/message.h"

#include <string>

#include "exchange/net/error.h"
#include "exchange/net/kad/kad.pb.h"
#include "exchange/net/stream_io.h"

namespace codex::net::kad {
namespace {

std::span<const uint8_t> as_bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

void encode_peer(const PeerInfo& p, pb::kad::PeerPb* out) {
  out->set_id(p.id.bytes().data(), p.id.bytes().size());
  for (const auto& a : p.addrs)
    out->add_addrs(a.bytes().data(), a.bytes().size());
  if (p.connection != Connection::kNotConnected) out->set_connection(int32_t(p.connection));
}

PeerInfo decode_peer(const pb::kad::PeerPb& p, const char* list) {
  if (size_t(p.addrs_size()) > kMaxAddrsPerPeer)
    throw ProtocolError(std::string("kad: a peer in ") + list + " has " +
                        std::to_string(p.addrs_size()) + " addresses, more than " +
                        std::to_string(kMaxAddrsPerPeer));
  if (p.connection() < 0 || p.connection() > 3)
    throw ProtocolError("kad: unknown connection type " + std::to_string(p.connection()));
  PeerInfo out{[&] {
    try {
      return PeerId::from_bytes(as_bytes(p.id()));
    } catch (const FormatError& e) {
      throw ProtocolError(std::string("kad: bad peer id in ") + list + ": " + e.what());
    }
  }()};
  out.connection = Connection(p.connection());
  for (const auto& a : p.addrs()) {
    try {
      out.addrs.push_back(Multiaddr::from_bytes(as_bytes(a)));
    } catch (const FormatError&) {
      // A transport we do not read: skipped, the others still serve.
    }
  }
  return out;
}

std::vector<PeerInfo> decode_peers(const google::protobuf::RepeatedPtrField<pb::kad::PeerPb>& ps,
                                   const char* list) {
  if (size_t(ps.size()) > kMaxPeersPerList)
    throw ProtocolError(std::string("kad: ") + std::to_string(ps.size()) + " " + list +
                        " exceed the limit of " + std::to_string(kMaxPeersPerList));
  std::vector<PeerInfo> out;
  out.reserve(ps.size());
  for (const auto& p : ps)
    out.push_back(decode_peer(p, list));
  return out;
}

}  // namespace

const char* type_name(MessageType t) {
  switch (t) {
    case MessageType::kPutValue:
      return "PUT_VALUE";
    case MessageType::kGetValue:
      return "GET_VALUE";
    case MessageType::kAddProvider:
      return "ADD_PROVIDER";
    case MessageType::kGetProviders:
      return "GET_PROVIDERS";
    case MessageType::kFindNode:
      return "FIND_NODE";
    case MessageType::kPing:
      return "PING";
  }
  return "?";
}

std::vector<uint8_t> encode_message(const Message& m) {
  pb::kad::MessagePb msg;
  // Written even when 0 (PUT_VALUE): proto3 readers take a missing type as 0 anyway.
  msg.set_type(int32_t(m.type));
  if (m.cluster_level != 0) msg.set_cluster_level_raw(m.cluster_level);
  if (!m.key.empty()) msg.set_key(m.key.data(), m.key.size());
  if (m.record) msg.set_record(m.record->data(), m.record->size());
  for (const auto& p : m.closer)
    encode_peer(p, msg.add_closer_peers());
  for (const auto& p : m.providers)
    encode_peer(p, msg.add_provider_peers());
  const std::string s = msg.SerializeAsString();
  return {s.begin(), s.end()};
}

Message decode_message(std::span<const uint8_t> bytes) {
  if (bytes.size() > kMaxMessageSize)
    throw ProtocolError("kad: message of " + std::to_string(bytes.size()) +
                        " bytes exceeds the limit of " + std::to_string(kMaxMessageSize));
  pb::kad::MessagePb msg;
  if (!msg.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
    throw ProtocolError("kad: malformed protobuf");
  if (msg.type() < 0 || msg.type() > 5)
    throw ProtocolError("kad: unknown message type " + std::to_string(msg.type()));
  if (msg.key().size() > kMaxKeySize)
    throw ProtocolError("kad: key of " + std::to_string(msg.key().size()) +
                        " bytes exceeds the limit of " + std::to_string(kMaxKeySize));
  Message m;
  m.type = MessageType(msg.type());
  m.cluster_level = msg.cluster_level_raw();
  m.key.assign(msg.key().begin(), msg.key().end());
  if (msg.has_record()) m.record.emplace(msg.record().begin(), msg.record().end());
  m.closer = decode_peers(msg.closer_peers(), "closer peers");
  m.providers = decode_peers(msg.provider_peers(), "provider peers");
  return m;
}

asio::awaitable<Message> read_message(Stream& s) {
  const auto bytes = co_await read_length_prefixed(s, kMaxMessageSize);
  co_return decode_message(bytes);
}

asio::awaitable<std::optional<Message>> read_message_or_end(Stream& s) {
  bool ended = false;
  const auto bytes = co_await read_length_prefixed_or_end(s, kMaxMessageSize, ended);
  if (ended) co_return std::nullopt;
  co_return decode_message(bytes);
}

asio::awaitable<void> write_message(Stream& s, const Message& m) {
  const auto bytes = encode_message(m);
  if (bytes.size() > kMaxMessageSize)
    throw std::logic_error("kad: an outgoing message of " + std::to_string(bytes.size()) +
                           " bytes exceeds the limit");
  co_await write_length_prefixed(s, bytes);
}

}  // namespace codex::net::kad
