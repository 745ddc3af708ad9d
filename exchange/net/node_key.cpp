#include "exchange/net/node_key.h"

#include <secp256k1.h>
#include <sodium.h>
#include <sys/stat.h>

#include <fstream>
#include <iterator>
#include <stdexcept>

#include "exchange/multiformats/base58.h"

namespace codex::net {
namespace {

// libp2p crypto.proto: KeyType Secp256k1 = 2; fields 1 (type) and 2 (data).
constexpr uint8_t kPrivPrefix[] = {0x08, 0x02, 0x12, 0x20};
constexpr uint8_t kPubPrefix[] = {0x08, 0x02, 0x12, 0x21};

struct Context {
  secp256k1_context* ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
  ~Context() { secp256k1_context_destroy(ctx); }
};

void check_permissions(const std::filesystem::path& file) {
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0)
    throw std::runtime_error("node key: cannot stat " + file.string());
  if (st.st_mode & (S_IRWXG | S_IRWXO))
    throw std::runtime_error("node key: " + file.string() +
                             " is accessible by group or others; run chmod 600 on it");
}

}  // namespace

NodeKey::~NodeKey() {
  sodium_memzero(secret_.data(), secret_.size());
}

NodeKey NodeKey::load_or_create(const std::filesystem::path& file) {
  if (sodium_init() < 0) throw std::runtime_error("node key: libsodium failed to initialise");
  Context c;
  NodeKey key;
  if (std::filesystem::exists(file)) {
    check_permissions(file);
    std::ifstream in(file, std::ios::binary);
    std::string raw((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (raw.size() != 36 || raw.compare(0, 4, reinterpret_cast<const char*>(kPrivPrefix), 4) != 0)
      throw std::runtime_error("node key: " + file.string() +
                               " is not a secp256k1 libp2p private key");
    std::copy(raw.begin() + 4, raw.end(), key.secret_.begin());
    sodium_memzero(raw.data(), raw.size());
    if (!secp256k1_ec_seckey_verify(c.ctx, key.secret_.data()))
      throw std::runtime_error("node key: " + file.string() + " holds an invalid secret key");
  } else {
    do {
      randombytes_buf(key.secret_.data(), key.secret_.size());
    } while (!secp256k1_ec_seckey_verify(c.ctx, key.secret_.data()));
    std::string raw(reinterpret_cast<const char*>(kPrivPrefix), 4);
    raw.append(reinterpret_cast<const char*>(key.secret_.data()), 32);
    std::filesystem::path tmp = file;
    tmp += ".tmp";
    {
      std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
      std::filesystem::permissions(
          tmp, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
      out.write(raw.data(), std::streamsize(raw.size()));
      if (!out) throw std::runtime_error("node key: cannot write " + tmp.string());
    }
    sodium_memzero(raw.data(), raw.size());
    std::filesystem::rename(tmp, file);
  }
  secp256k1_pubkey pub;
  if (!secp256k1_ec_pubkey_create(c.ctx, &pub, key.secret_.data()))
    throw std::runtime_error("node key: cannot derive the public key");
  size_t len = key.public_key_.size();
  secp256k1_ec_pubkey_serialize(c.ctx, key.public_key_.data(), &len, &pub, SECP256K1_EC_COMPRESSED);
  // PeerId = identity multihash (0x00, length) of the PublicKey protobuf.
  std::string mh = {0x00, 37};
  mh.append(reinterpret_cast<const char*>(kPubPrefix), 4);
  mh.append(reinterpret_cast<const char*>(key.public_key_.data()), 33);
  key.peer_id_ = base58::encode({reinterpret_cast<const uint8_t*>(mh.data()), mh.size()});
  return key;
}

}  // namespace codex::net
