#pragma once
// The Noise CipherState (Noise spec rev 34 §5.1) for ChaChaPoly: a 32-byte key
// k (or none) and a 64-bit nonce n. ChaCha20-Poly1305 IETF (RFC 8439) with
// the 96-bit nonce 4 zero bytes ‖ n little-endian (§12.3), on OpenSSL's EVP
// (about twice libsodium's speed on AVX-512 machines; the same bytes).
//
// Move-only; the key is wiped (sodium_memzero; OpenSSL cleanses its
// contexts) when replaced, destroyed or moved from. Not thread-safe: one
// CipherState per direction of a stream.
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

struct evp_cipher_ctx_st;

namespace codex::net::noise {

class CipherState {
 public:
  static constexpr size_t kKeySize = 32;
  static constexpr size_t kTagSize = 16;
  // n = 2^64 - 1 is reserved (§5.1): a state that reaches it is spent.
  static constexpr uint64_t kMaxNonce = ~uint64_t{0};

  CipherState() = default;
  ~CipherState() { wipe(); }
  CipherState(CipherState&& o) noexcept;
  CipherState& operator=(CipherState&& o) noexcept;
  CipherState(const CipherState&) = delete;
  CipherState& operator=(const CipherState&) = delete;

  // InitializeKey(k): sets the key and n = 0.
  void initialize_key(std::span<const uint8_t, kKeySize> key);
  bool has_key() const { return has_key_; }
  uint64_t nonce() const { return nonce_; }
  // SetNonce: for tests of the nonce limit.
  void set_nonce(uint64_t n) { nonce_ = n; }

  // EncryptWithAd: writes plaintext.size() + kTagSize bytes to `out` (which
  // may alias `plaintext` exactly); without a key, copies the plaintext.
  // Returns the bytes written. Throws NetError when the nonce is spent
  // (the stream must be dropped; the nonce never wraps).
  size_t encrypt_with_ad(std::span<const uint8_t> ad, std::span<const uint8_t> plaintext,
                         uint8_t* out);
  std::vector<uint8_t> encrypt_with_ad(std::span<const uint8_t> ad,
                                       std::span<const uint8_t> plaintext);

  // DecryptWithAd: writes ciphertext.size() - kTagSize bytes to `out` (which
  // may alias `ciphertext` exactly). Throws ProtocolError when the ciphertext
  // is shorter than a tag or does not authenticate (n is then unchanged),
  // NetError when the nonce is spent.
  size_t decrypt_with_ad(std::span<const uint8_t> ad, std::span<const uint8_t> ciphertext,
                         uint8_t* out);
  std::vector<uint8_t> decrypt_with_ad(std::span<const uint8_t> ad,
                                       std::span<const uint8_t> ciphertext);

 private:
  struct CtxFree {
    void operator()(evp_cipher_ctx_st* c) const noexcept;
  };
  using Ctx = std::unique_ptr<evp_cipher_ctx_st, CtxFree>;

  void wipe();
  void nonce_bytes(uint8_t out[12]) const;
  // The context for encrypting (or decrypting) with the key, made at first use.
  evp_cipher_ctx_st* context(bool encrypt);

  std::array<uint8_t, kKeySize> key_{};
  Ctx encrypt_ctx_, decrypt_ctx_;
  bool has_key_ = false;
  uint64_t nonce_ = 0;
};

}  // namespace codex::net::noise
