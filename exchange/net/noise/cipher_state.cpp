#include "exchange/net/noise/cipher_state.h"

#include <sodium.h>

#include <cstring>
#include <stdexcept>

#include "exchange/net/error.h"

namespace codex::net::noise {
namespace {

void check_nonce(uint64_t n) {
  if (n == CipherState::kMaxNonce) throw NetError("noise: nonce exhausted, the stream is spent");
}

}  // namespace

CipherState::CipherState(CipherState&& o) noexcept
    : key_(o.key_), has_key_(o.has_key_), nonce_(o.nonce_) {
  o.wipe();
}

CipherState& CipherState::operator=(CipherState&& o) noexcept {
  if (this != &o) {
    wipe();
    key_ = o.key_;
    has_key_ = o.has_key_;
    nonce_ = o.nonce_;
    o.wipe();
  }
  return *this;
}

void CipherState::wipe() {
  sodium_memzero(key_.data(), key_.size());
  has_key_ = false;
  nonce_ = 0;
}

void CipherState::initialize_key(std::span<const uint8_t, kKeySize> key) {
  // sodium_init picks the SIMD ChaCha20 and Poly1305; before it, the slow
  // portable code runs.
  if (sodium_init() < 0) throw std::runtime_error("libsodium initialisation failed");
  std::memcpy(key_.data(), key.data(), kKeySize);
  has_key_ = true;
  nonce_ = 0;
}

void CipherState::nonce_bytes(uint8_t out[12]) const {
  std::memset(out, 0, 4);
  for (int i = 0; i < 8; ++i)
    out[4 + i] = uint8_t(nonce_ >> (8 * i));
}

size_t CipherState::encrypt_with_ad(std::span<const uint8_t> ad, std::span<const uint8_t> plaintext,
                                    uint8_t* out) {
  if (!has_key_) {
    // (memmove with an empty vector's null data() is undefined.)
    if (!plaintext.empty() && out != plaintext.data())
      std::memmove(out, plaintext.data(), plaintext.size());
    return plaintext.size();
  }
  check_nonce(nonce_);
  uint8_t npub[crypto_aead_chacha20poly1305_ietf_NPUBBYTES];
  nonce_bytes(npub);
  unsigned long long written = 0;
  crypto_aead_chacha20poly1305_ietf_encrypt(out, &written, plaintext.data(), plaintext.size(),
                                            ad.data(), ad.size(), nullptr, npub, key_.data());
  ++nonce_;
  return size_t(written);
}

std::vector<uint8_t> CipherState::encrypt_with_ad(std::span<const uint8_t> ad,
                                                  std::span<const uint8_t> plaintext) {
  std::vector<uint8_t> out(plaintext.size() + (has_key_ ? kTagSize : 0));
  out.resize(encrypt_with_ad(ad, plaintext, out.data()));
  return out;
}

size_t CipherState::decrypt_with_ad(std::span<const uint8_t> ad,
                                    std::span<const uint8_t> ciphertext, uint8_t* out) {
  if (!has_key_) {
    if (!ciphertext.empty() && out != ciphertext.data())
      std::memmove(out, ciphertext.data(), ciphertext.size());
    return ciphertext.size();
  }
  check_nonce(nonce_);
  if (ciphertext.size() < kTagSize) throw ProtocolError("noise: ciphertext shorter than its tag");
  uint8_t npub[crypto_aead_chacha20poly1305_ietf_NPUBBYTES];
  nonce_bytes(npub);
  unsigned long long written = 0;
  if (crypto_aead_chacha20poly1305_ietf_decrypt(out, &written, nullptr, ciphertext.data(),
                                                ciphertext.size(), ad.data(), ad.size(), npub,
                                                key_.data()) != 0)
    throw ProtocolError("noise: decryption failed (bad tag)");
  ++nonce_;
  return size_t(written);
}

std::vector<uint8_t> CipherState::decrypt_with_ad(std::span<const uint8_t> ad,
                                                  std::span<const uint8_t> ciphertext) {
  std::vector<uint8_t> out(ciphertext.size());
  out.resize(decrypt_with_ad(ad, ciphertext, out.data()));
  return out;
}

}  // namespace codex::net::noise
