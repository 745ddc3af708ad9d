#pragma once
// The Noise SymmetricState (Noise spec rev 34 §5.2) with SHA-256: the
// chaining key ck, the handshake hash h and a CipherState. HKDF is the Noise
// one (§4.3: HMAC-SHA256 with ck as the key, outputs chained with 0x01,
// 0x02), from libsodium.
//
// Move-only; ck and the keys are wiped when destroyed. Not thread-safe.
#include <array>
#include <cstdint>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "exchange/net/noise/cipher_state.h"

namespace codex::net::noise {

inline constexpr size_t kHashSize = 32;
using Hash = std::array<uint8_t, kHashSize>;

class SymmetricState {
 public:
  // InitializeSymmetric(protocol_name).
  explicit SymmetricState(std::string_view protocol_name);
  ~SymmetricState();
  SymmetricState(SymmetricState&&) noexcept = default;
  SymmetricState& operator=(SymmetricState&&) noexcept = default;
  SymmetricState(const SymmetricState&) = delete;
  SymmetricState& operator=(const SymmetricState&) = delete;

  void mix_key(std::span<const uint8_t> input_key_material);
  void mix_hash(std::span<const uint8_t> data);
  // Encrypt/DecryptAndHash. decrypt throws ProtocolError when the
  // ciphertext does not authenticate.
  std::vector<uint8_t> encrypt_and_hash(std::span<const uint8_t> plaintext);
  std::vector<uint8_t> decrypt_and_hash(std::span<const uint8_t> ciphertext);
  bool has_key() const { return cipher_.has_key(); }
  const Hash& handshake_hash() const { return h_; }

  // Split(): the initiator-to-responder and responder-to-initiator ciphers.
  std::pair<CipherState, CipherState> split();

 private:
  Hash ck_{};
  Hash h_{};
  CipherState cipher_;
};

// Noise's HKDF(ck, ikm) with two outputs (exposed for tests).
std::pair<Hash, Hash> hkdf2(std::span<const uint8_t, kHashSize> chaining_key,
                            std::span<const uint8_t> input_key_material);

}  // namespace codex::net::noise
