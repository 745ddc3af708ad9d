#include "exchange/net/node_key.h"

#include <sodium.h>

#include <algorithm>
#include <utility>

#include "base/error.h"
#include "exchange/crypto/key_file.h"
#include "exchange/crypto/secret_bytes.h"
#include "exchange/crypto/sha256.h"

namespace codex::net {
namespace {

// libp2p crypto.proto: KeyType Secp256k1 = 2; fields 1 (type) and 2 (data).
constexpr uint8_t kPrivPrefix[] = {0x08, 0x02, 0x12, 0x20};
constexpr uint8_t kPubPrefix[] = {0x08, 0x02, 0x12, 0x21};

crypto::Secp256k1Key load(const std::filesystem::path& file) {
  const crypto::SecretBytes raw = crypto::read_key_file(file);
  if (raw.size() != sizeof kPrivPrefix + 32 ||
      !std::equal(std::begin(kPrivPrefix), std::end(kPrivPrefix), raw.data()))
    throw crypto::KeyFileError("node key: " + file.string() +
                               " is not a secp256k1 libp2p private key");
  try {
    return crypto::Secp256k1Key(std::span<const uint8_t, 32>(raw.data() + sizeof kPrivPrefix, 32));
  } catch (const base::InvalidInput&) {
    throw crypto::KeyFileError("node key: " + file.string() + " holds an invalid secret key");
  }
}

crypto::Secp256k1Key create(const std::filesystem::path& file) {
  crypto::Secp256k1Key key = crypto::Secp256k1Key::generate();
  crypto::SecretBytes raw(sizeof kPrivPrefix + 32);
  std::copy(std::begin(kPrivPrefix), std::end(kPrivPrefix), raw.data());
  auto secret = key.reveal_secret();
  std::copy(secret.begin(), secret.end(), raw.data() + sizeof kPrivPrefix);
  sodium_memzero(secret.data(), secret.size());
  crypto::write_key_file(file, raw.span());
  return key;
}

}  // namespace

NodeKey::NodeKey(crypto::Secp256k1Key key)
    : key_(std::move(key)),
      public_key_(key_.public_key().compressed()),
      id_(PeerId::from_public_key(PublicKey::secp256k1(public_key_))),
      peer_id_(id_.to_string()) {}

NodeKey NodeKey::load_or_create(const std::filesystem::path& file) {
  return NodeKey(std::filesystem::exists(file) ? load(file) : create(file));
}

std::vector<uint8_t> NodeKey::public_key_protobuf() const {
  std::vector<uint8_t> out(sizeof kPubPrefix + public_key_.size());
  std::copy(std::begin(kPubPrefix), std::end(kPubPrefix), out.begin());
  std::copy(public_key_.begin(), public_key_.end(), out.begin() + sizeof kPubPrefix);
  return out;
}

std::vector<uint8_t> NodeKey::sign(std::span<const uint8_t> message) const {
  return key_.sign_der(sha256(message));
}

}  // namespace codex::net
