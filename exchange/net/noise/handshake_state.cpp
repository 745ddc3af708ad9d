#include "exchange/net/noise/handshake_state.h"

#include <sodium.h>

#include <algorithm>
#include <stdexcept>
#include <string>

#include "exchange/net/error.h"

namespace codex::net::noise {

HandshakeState::HandshakeState(Role role, std::span<const uint8_t> prologue, DhKeyPair static_key,
                               std::optional<DhKeyPair> ephemeral)
    : role_(role),
      symmetric_(kNoiseXXProtocolName),
      s_(std::move(static_key)),
      e_(std::move(ephemeral)) {
  symmetric_.mix_hash(prologue);
  // XX has no pre-messages.
}

bool HandshakeState::writing() const {
  // Even messages are the initiator's.
  return (step_ % 2 == 0) == (role_ == Role::Initiator);
}

void HandshakeState::write_e(std::vector<uint8_t>& out) {
  if (!e_) e_ = DhKeyPair::generate();
  const auto& pub = e_->public_key();
  out.insert(out.end(), pub.begin(), pub.end());
  symmetric_.mix_hash(pub);
}

void HandshakeState::write_s(std::vector<uint8_t>& out) {
  const auto sealed = symmetric_.encrypt_and_hash(s_.public_key());
  out.insert(out.end(), sealed.begin(), sealed.end());
}

std::span<const uint8_t> HandshakeState::read_e(std::span<const uint8_t> in) {
  if (in.size() < kDhSize) throw ProtocolError("noise: handshake message too short for a key");
  DhPublicKey re;
  std::copy_n(in.begin(), kDhSize, re.begin());
  re_ = re;
  symmetric_.mix_hash(re);
  return in.subspan(kDhSize);
}

std::span<const uint8_t> HandshakeState::read_s(std::span<const uint8_t> in) {
  // After ee the static key is always encrypted: 32 bytes and a tag.
  const size_t n = kDhSize + CipherState::kTagSize;
  if (in.size() < n) throw ProtocolError("noise: handshake message too short for a static key");
  const auto plain = symmetric_.decrypt_and_hash(in.first(n));
  DhPublicKey rs;
  std::copy_n(plain.begin(), kDhSize, rs.begin());
  rs_ = rs;
  return in.subspan(n);
}

void HandshakeState::mix_dh(const DhKeyPair& local, const DhPublicKey& remote) {
  auto shared = local.dh(remote);
  symmetric_.mix_key(shared);
  sodium_memzero(shared.data(), shared.size());
}

std::vector<uint8_t> HandshakeState::write_message(std::span<const uint8_t> payload) {
  if (failed_ || finished() || !writing())
    throw std::logic_error("noise: write_message out of turn");
  std::vector<uint8_t> out;
  out.reserve(2 * kDhSize + 2 * CipherState::kTagSize + payload.size());
  switch (step_) {
    case 0:  // -> e
      write_e(out);
      break;
    case 1:  // <- e, ee, s, es
      write_e(out);
      mix_dh(*e_, *re_);
      write_s(out);
      mix_dh(s_, *re_);
      break;
    case 2:  // -> s, se
      write_s(out);
      mix_dh(s_, *re_);
      break;
  }
  const auto sealed = symmetric_.encrypt_and_hash(payload);
  out.insert(out.end(), sealed.begin(), sealed.end());
  ++step_;
  return out;
}

std::vector<uint8_t> HandshakeState::read_message(std::span<const uint8_t> message) {
  if (failed_ || finished() || writing()) throw std::logic_error("noise: read_message out of turn");
  failed_ = true;  // until the message is fully processed
  std::span<const uint8_t> rest = message;
  switch (step_) {
    case 0:  // -> e
      rest = read_e(rest);
      break;
    case 1:  // <- e, ee, s, es
      rest = read_e(rest);
      mix_dh(*e_, *re_);
      rest = read_s(rest);
      mix_dh(*e_, *rs_);
      break;
    case 2:  // -> s, se
      rest = read_s(rest);
      mix_dh(*e_, *rs_);
      break;
  }
  auto payload = symmetric_.decrypt_and_hash(rest);
  failed_ = false;
  ++step_;
  return payload;
}

TransportCiphers HandshakeState::split() {
  if (!finished()) throw std::logic_error("noise: split before the handshake finished");
  auto [c1, c2] = symmetric_.split();
  if (role_ == Role::Initiator) return {std::move(c1), std::move(c2)};
  return {std::move(c2), std::move(c1)};
}

}  // namespace codex::net::noise
