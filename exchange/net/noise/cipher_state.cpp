#include "exchange/net/noise/cipher_state.h"

#include <openssl/evp.h>
#include <sodium.h>

#include <climits>
#include <cstring>
#include <stdexcept>

#include "exchange/net/error.h"

namespace codex::net::noise {
namespace {

void check_nonce(uint64_t n) {
  if (n == CipherState::kMaxNonce) throw NetError("noise: nonce exhausted, the stream is spent");
}

// Fetched once: an implicit fetch per message would cost a provider lookup.
const EVP_CIPHER* chacha20_poly1305() {
  static const EVP_CIPHER* const cipher = [] {
    const EVP_CIPHER* c = EVP_CIPHER_fetch(nullptr, "ChaCha20-Poly1305", nullptr);
    if (!c) throw std::runtime_error("OpenSSL has no ChaCha20-Poly1305");
    return c;
  }();
  return cipher;
}

[[noreturn]] void evp_fail(const char* what) {
  throw std::runtime_error(std::string("noise: OpenSSL ChaCha20-Poly1305 failed in ") + what);
}

int int_size(size_t n) {
  if (n > size_t(INT_MAX)) throw NetError("noise: message too large");
  return int(n);
}

}  // namespace

void CipherState::CtxFree::operator()(evp_cipher_ctx_st* c) const noexcept {
  EVP_CIPHER_CTX_free(c);
}

CipherState::CipherState(CipherState&& o) noexcept
    : key_(o.key_),
      encrypt_ctx_(std::move(o.encrypt_ctx_)),
      decrypt_ctx_(std::move(o.decrypt_ctx_)),
      has_key_(o.has_key_),
      nonce_(o.nonce_) {
  o.wipe();
}

CipherState& CipherState::operator=(CipherState&& o) noexcept {
  if (this != &o) {
    wipe();
    key_ = o.key_;
    encrypt_ctx_ = std::move(o.encrypt_ctx_);
    decrypt_ctx_ = std::move(o.decrypt_ctx_);
    has_key_ = o.has_key_;
    nonce_ = o.nonce_;
    o.wipe();
  }
  return *this;
}

void CipherState::wipe() {
  sodium_memzero(key_.data(), key_.size());
  encrypt_ctx_.reset();
  decrypt_ctx_.reset();
  has_key_ = false;
  nonce_ = 0;
}

void CipherState::initialize_key(std::span<const uint8_t, kKeySize> key) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium initialisation failed");
  wipe();
  std::memcpy(key_.data(), key.data(), kKeySize);
  has_key_ = true;
  nonce_ = 0;
}

evp_cipher_ctx_st* CipherState::context(bool encrypt) {
  Ctx& ctx = encrypt ? encrypt_ctx_ : decrypt_ctx_;
  if (!ctx) {
    Ctx made(EVP_CIPHER_CTX_new());
    if (!made || EVP_CipherInit_ex2(made.get(), chacha20_poly1305(), key_.data(), nullptr,
                                    encrypt ? 1 : 0, nullptr) != 1)
      evp_fail("key setup");
    ctx = std::move(made);
  }
  return ctx.get();
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
  uint8_t iv[12];
  nonce_bytes(iv);
  EVP_CIPHER_CTX* ctx = context(true);
  int len = 0, tail = 0;
  if (EVP_CipherInit_ex2(ctx, nullptr, nullptr, iv, 1, nullptr) != 1) evp_fail("nonce setup");
  if (!ad.empty() && EVP_EncryptUpdate(ctx, nullptr, &len, ad.data(), int_size(ad.size())) != 1)
    evp_fail("associated data");
  if (EVP_EncryptUpdate(ctx, out, &len, plaintext.data(), int_size(plaintext.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx, out + len, &tail) != 1)
    evp_fail("encryption");
  const size_t n = size_t(len) + size_t(tail);
  if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, int(kTagSize), out + n) != 1) evp_fail("tag");
  ++nonce_;
  return n + kTagSize;
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
  uint8_t iv[12];
  nonce_bytes(iv);
  const size_t body = ciphertext.size() - kTagSize;
  // The tag is copied out first: `out` may alias the ciphertext.
  uint8_t tag[kTagSize];
  std::memcpy(tag, ciphertext.data() + body, kTagSize);
  EVP_CIPHER_CTX* ctx = context(false);
  int len = 0, tail = 0;
  if (EVP_CipherInit_ex2(ctx, nullptr, nullptr, iv, 0, nullptr) != 1) evp_fail("nonce setup");
  if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, int(kTagSize), tag) != 1) evp_fail("tag");
  if (!ad.empty() && EVP_DecryptUpdate(ctx, nullptr, &len, ad.data(), int_size(ad.size())) != 1)
    evp_fail("associated data");
  if (EVP_DecryptUpdate(ctx, out, &len, ciphertext.data(), int_size(body)) != 1)
    evp_fail("decryption");
  if (EVP_DecryptFinal_ex(ctx, out + len, &tail) != 1) {
    // Nothing unauthenticated may be used: the caller's buffer is wiped.
    if (body > 0) sodium_memzero(out, body);
    throw ProtocolError("noise: decryption failed (bad tag)");
  }
  ++nonce_;
  return size_t(len) + size_t(tail);
}

std::vector<uint8_t> CipherState::decrypt_with_ad(std::span<const uint8_t> ad,
                                                  std::span<const uint8_t> ciphertext) {
  std::vector<uint8_t> out(ciphertext.size());
  out.resize(decrypt_with_ad(ad, ciphertext, out.data()));
  return out;
}

}  // namespace codex::net::noise
