#pragma once
// The Noise HandshakeState (Noise spec rev 34 §5.3) for the one pattern
// libp2p uses, XX with 25519, ChaChaPoly and SHA256:
//
//   -> e
//   <- e, ee, s, es
//   -> s, se
//
// Pure and synchronous: bytes in, bytes out; framing and I/O are the
// caller's (noise_upgrade.h). The initiator writes message 0, reads 1, writes
// 2; the responder the reverse. After message 2, split() gives the transport
// ciphers.
//
// Move-only; every secret (s, e, ck, keys) is wiped when destroyed. Not
// thread-safe.
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "exchange/net/noise/cipher_state.h"
#include "exchange/net/noise/dh_key.h"
#include "exchange/net/noise/symmetric_state.h"

namespace codex::net::noise {

inline constexpr char kNoiseXXProtocolName[] = "Noise_XX_25519_ChaChaPoly_SHA256";

enum class Role { Initiator, Responder };

// The two transport ciphers of one side.
struct TransportCiphers {
  CipherState send;
  CipherState receive;
};

class HandshakeState {
 public:
  // Initialize(XX, role, prologue, s). `ephemeral` fixes e for test vectors;
  // otherwise a fresh one is generated when message 0 or 1 is written.
  HandshakeState(Role role, std::span<const uint8_t> prologue, DhKeyPair static_key,
                 std::optional<DhKeyPair> ephemeral = std::nullopt);

  HandshakeState(HandshakeState&&) noexcept = default;
  HandshakeState& operator=(HandshakeState&&) noexcept = default;

  Role role() const { return role_; }
  // Whether the next message is ours to write (else ours to read).
  bool writing() const;
  bool finished() const { return step_ == 3; }

  // WriteMessage(payload): the next handshake message. Throws
  // ProtocolError when a DH result is all zeros (the peer sent a low-order
  // key), std::logic_error when it is not our turn.
  std::vector<uint8_t> write_message(std::span<const uint8_t> payload);
  // ReadMessage(message): the payload of the peer's next message. Throws
  // ProtocolError when the message is too short, a key is of low order or a
  // ciphertext does not authenticate; std::logic_error when not our turn.
  // After a throw the state is spent: the handshake must be abandoned.
  std::vector<uint8_t> read_message(std::span<const uint8_t> message);

  // The peer's static key, known after message 1 (initiator) or 2 (responder).
  const std::optional<DhPublicKey>& remote_static() const { return rs_; }
  const DhPublicKey& local_static() const { return s_.public_key(); }
  const Hash& handshake_hash() const { return symmetric_.handshake_hash(); }

  // Split(), by role: the initiator sends with the first cipher. Requires
  // finished(); the state must not be used after.
  TransportCiphers split();

 private:
  void write_e(std::vector<uint8_t>& out);
  void write_s(std::vector<uint8_t>& out);
  std::span<const uint8_t> read_e(std::span<const uint8_t> in);
  std::span<const uint8_t> read_s(std::span<const uint8_t> in);
  void mix_dh(const DhKeyPair& local, const DhPublicKey& remote);

  Role role_;
  int step_ = 0;  // the index of the next message, 0..2; 3 when finished
  bool failed_ = false;
  SymmetricState symmetric_;
  DhKeyPair s_;
  std::optional<DhKeyPair> e_;
  std::optional<DhPublicKey> rs_;
  std::optional<DhPublicKey> re_;
};

}  // namespace codex::net::noise
