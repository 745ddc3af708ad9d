#include "exchange/net/noise/symmetric_state.h"

#include <sodium.h>

#include <algorithm>

namespace codex::net::noise {
namespace {

Hash hmac(std::span<const uint8_t> key, std::span<const uint8_t> a,
          std::span<const uint8_t> b = {}) {
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, key.data(), key.size());
  crypto_auth_hmacsha256_update(&st, a.data(), a.size());
  crypto_auth_hmacsha256_update(&st, b.data(), b.size());
  Hash out;
  crypto_auth_hmacsha256_final(&st, out.data());
  sodium_memzero(&st, sizeof st);
  return out;
}

}  // namespace

std::pair<Hash, Hash> hkdf2(std::span<const uint8_t, kHashSize> chaining_key,
                            std::span<const uint8_t> input_key_material) {
  Hash temp = hmac(chaining_key, input_key_material);
  const uint8_t one = 0x01, two = 0x02;
  Hash out1 = hmac(temp, {&one, 1});
  Hash out2 = hmac(temp, out1, {&two, 1});
  sodium_memzero(temp.data(), temp.size());
  return {out1, out2};
}

SymmetricState::SymmetricState(std::string_view protocol_name) {
  // A name of at most HASHLEN bytes is padded with zeros; a longer one hashed.
  if (protocol_name.size() <= kHashSize) {
    std::copy(protocol_name.begin(), protocol_name.end(), h_.begin());
  } else {
    crypto_hash_sha256(h_.data(), reinterpret_cast<const uint8_t*>(protocol_name.data()),
                       protocol_name.size());
  }
  ck_ = h_;
}

SymmetricState::~SymmetricState() {
  sodium_memzero(ck_.data(), ck_.size());
}

void SymmetricState::mix_key(std::span<const uint8_t> input_key_material) {
  auto [ck, temp_k] = hkdf2(ck_, input_key_material);
  ck_ = ck;
  cipher_.initialize_key(temp_k);  // HASHLEN = 32: no truncation
  sodium_memzero(ck.data(), ck.size());
  sodium_memzero(temp_k.data(), temp_k.size());
}

void SymmetricState::mix_hash(std::span<const uint8_t> data) {
  crypto_hash_sha256_state st;
  crypto_hash_sha256_init(&st);
  crypto_hash_sha256_update(&st, h_.data(), h_.size());
  crypto_hash_sha256_update(&st, data.data(), data.size());
  crypto_hash_sha256_final(&st, h_.data());
}

std::vector<uint8_t> SymmetricState::encrypt_and_hash(std::span<const uint8_t> plaintext) {
  std::vector<uint8_t> ciphertext = cipher_.encrypt_with_ad(h_, plaintext);
  mix_hash(ciphertext);
  return ciphertext;
}

std::vector<uint8_t> SymmetricState::decrypt_and_hash(std::span<const uint8_t> ciphertext) {
  std::vector<uint8_t> plaintext = cipher_.decrypt_with_ad(h_, ciphertext);
  mix_hash(ciphertext);
  return plaintext;
}

std::pair<CipherState, CipherState> SymmetricState::split() {
  auto [k1, k2] = hkdf2(ck_, {});
  std::pair<CipherState, CipherState> out;
  out.first.initialize_key(k1);
  out.second.initialize_key(k2);
  sodium_memzero(k1.data(), k1.size());
  sodium_memzero(k2.data(), k2.size());
  return out;
}

}  // namespace codex::net::noise
