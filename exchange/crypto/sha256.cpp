#include "exchange/crypto/sha256.h"

#include <openssl/evp.h>

#include <stdexcept>

namespace codex {

struct Sha256::Ctx {
  EVP_MD_CTX* md = nullptr;
  ~Ctx() { EVP_MD_CTX_free(md); }
};

Sha256::Sha256() : ctx_(std::make_unique<Ctx>()) {
  ctx_->md = EVP_MD_CTX_new();
  if (!ctx_->md || EVP_DigestInit_ex(ctx_->md, EVP_sha256(), nullptr) != 1)
    throw std::runtime_error("sha256: OpenSSL initialisation failed");
}

Sha256::~Sha256() = default;

void Sha256::update(std::span<const uint8_t> data) {
  if (EVP_DigestUpdate(ctx_->md, data.data(), data.size()) != 1)
    throw std::runtime_error("sha256: update failed");
}

Digest32 Sha256::finish() {
  Digest32 out;
  unsigned len = 0;
  if (EVP_DigestFinal_ex(ctx_->md, out.data(), &len) != 1 ||
      EVP_DigestInit_ex(ctx_->md, EVP_sha256(), nullptr) != 1)
    throw std::runtime_error("sha256: final failed");
  return out;
}

Digest32 sha256(std::span<const uint8_t> data) {
  Digest32 out;
  unsigned len = 0;
  if (EVP_Digest(data.data(), data.size(), out.data(), &len, EVP_sha256(), nullptr) != 1)
    throw std::runtime_error("sha256: digest failed");
  return out;
}

}  // namespace codex
