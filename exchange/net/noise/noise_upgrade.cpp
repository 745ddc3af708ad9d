#include "exchange/net/noise/noise_upgrade.h"

#include <asio/experimental/awaitable_operators.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <exception>
#include <string>

#include "exchange/net/error.h"
#include "exchange/net/noise/handshake_payload.h"
#include "exchange/net/noise/noise_stream.h"
#include "exchange/net/stream_io.h"

namespace codex::net::noise {
namespace {

struct Outcome {
  std::optional<TransportCiphers> ciphers;
  std::optional<PeerId> remote;
  std::exception_ptr error;
};

asio::awaitable<std::vector<uint8_t>> read_frame(Stream& s) {
  uint8_t header[2];
  co_await read_exact(s, header);
  const size_t len = size_t(header[0]) << 8 | header[1];
  if (len > kMaxHandshakeMessageSize)
    throw ProtocolError("noise: handshake message of " + std::to_string(len) +
                        " bytes exceeds the limit of " + std::to_string(kMaxHandshakeMessageSize));
  std::vector<uint8_t> body(len);
  co_await read_exact(s, body);
  co_return body;
}

asio::awaitable<void> write_frame(Stream& s, const std::vector<uint8_t>& message) {
  std::vector<uint8_t> frame(2 + message.size());
  frame[0] = uint8_t(message.size() >> 8);
  frame[1] = uint8_t(message.size());
  std::copy(message.begin(), message.end(), frame.begin() + 2);
  co_await s.write(frame);
}

PeerId check_remote(const std::vector<uint8_t>& payload_bytes, const HandshakeState& hs,
                    const std::optional<PeerId>& expected) {
  const PeerId remote =
      verify_handshake_payload(HandshakePayload::parse(payload_bytes), *hs.remote_static());
  if (expected && remote != *expected)
    throw ProtocolError("noise: dialed " + expected->to_string() + " but reached " +
                        remote.to_string());
  return remote;
}

// The three messages of XX. Throws on any failure.
asio::awaitable<void> run_xx(Stream& s, Role role, const Identity& identity,
                             const std::optional<PeerId>& expected, Outcome& out) {
  DhKeyPair static_key = DhKeyPair::generate();
  HandshakePayload ours;
  ours.identity_key = identity.public_key_protobuf;
  ours.identity_sig = identity.sign(static_key_signature_message(static_key.public_key()));
  const std::vector<uint8_t> payload = ours.encode();
  const std::vector<uint8_t> empty;

  HandshakeState hs(role, empty, std::move(static_key));
  if (role == Role::Initiator) {
    co_await write_frame(s, hs.write_message(empty));
    const auto theirs = hs.read_message(co_await read_frame(s));
    out.remote = check_remote(theirs, hs, expected);
    co_await write_frame(s, hs.write_message(payload));
  } else {
    // Message 0 carries no libp2p payload; whatever is there is ignored.
    (void)hs.read_message(co_await read_frame(s));
    co_await write_frame(s, hs.write_message(payload));
    const auto theirs = hs.read_message(co_await read_frame(s));
    out.remote = check_remote(theirs, hs, expected);
  }
  out.ciphers = hs.split();
}

// Never throws, so that `||` below ends as soon as the handshake does.
asio::awaitable<void> run_captured(Stream& s, Role role, const Identity& identity,
                                   const std::optional<PeerId>& expected, Outcome& out) {
  try {
    co_await run_xx(s, role, identity, expected, out);
  } catch (...) {
    out.error = std::current_exception();
  }
}

asio::awaitable<void> expire(asio::steady_timer& timer, Stream& s) {
  co_await timer.async_wait(asio::use_awaitable);
  // Cancellation alone may not reach a read on a stream that ignores it.
  s.reset();
}

}  // namespace

Identity Identity::of(const NodeKey& key) {
  return Identity{key.public_key_protobuf(),
                  [&key](std::span<const uint8_t> message) { return key.sign(message); }};
}

asio::awaitable<SecuredConnection> handshake(std::unique_ptr<Stream> raw, Role role,
                                             const Identity& identity,
                                             std::optional<PeerId> expected,
                                             std::chrono::milliseconds timeout) {
  using namespace asio::experimental::awaitable_operators;
  asio::steady_timer timer(co_await asio::this_coro::executor, timeout);
  Outcome out;
  const auto first =
      co_await (run_captured(*raw, role, identity, expected, out) || expire(timer, *raw));
  if (first.index() == 1) {
    raw->reset();
    throw NetError("noise: handshake did not finish within " + std::to_string(timeout.count()) +
                   " ms");
  }
  if (out.error) {
    raw->reset();
    std::rethrow_exception(out.error);
  }
  SecuredConnection conn{std::make_unique<NoiseStream>(std::move(raw), std::move(*out.ciphers)),
                         std::move(*out.remote)};
  co_return conn;
}

}  // namespace codex::net::noise

namespace codex::net {

asio::awaitable<SecuredConnection> noise_outbound(std::unique_ptr<Stream> raw, const NodeKey& key,
                                                  std::optional<PeerId> expected,
                                                  std::chrono::milliseconds timeout) {
  const noise::Identity identity = noise::Identity::of(key);
  co_return co_await noise::handshake(std::move(raw), noise::Role::Initiator, identity,
                                      std::move(expected), timeout);
}

asio::awaitable<SecuredConnection> noise_inbound(std::unique_ptr<Stream> raw, const NodeKey& key,
                                                 std::chrono::milliseconds timeout) {
  const noise::Identity identity = noise::Identity::of(key);
  co_return co_await noise::handshake(std::move(raw), noise::Role::Responder, identity,
                                      std::nullopt, timeout);
}

}  // namespace codex::net
