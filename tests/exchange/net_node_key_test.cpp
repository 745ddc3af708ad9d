// The node's libp2p identity: created once as a private libp2p PrivateKey
// protobuf file and loaded again with the same PeerId, the PeerId of a known
// key (computed independently: python `cryptography` + base58), libp2p
// signatures that verify, and files refused when shared or malformed.
#include "exchange/net/node_key.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <iterator>
#include <string>

#include "base/hex.h"
#include "exchange/crypto/key_file.h"
#include "exchange/crypto/sha256.h"
#include "tests/support/temp_dir.h"

namespace codex::net {
namespace {

void write_raw(const std::filesystem::path& p, const std::vector<uint8_t>& b, mode_t mode) {
  std::ofstream(p, std::ios::binary)
      .write(reinterpret_cast<const char*>(b.data()), std::streamsize(b.size()));
  ::chmod(p.c_str(), mode);
}

std::vector<uint8_t> protobuf_of(std::string_view secret_hex) {
  std::vector<uint8_t> b = {0x08, 0x02, 0x12, 0x20};
  const auto s = base::from_hex(secret_hex);
  b.insert(b.end(), s.begin(), s.end());
  return b;
}

TEST(NodeKey, CreatesAPrivateFileAndLoadsTheSameIdentity) {
  testing::TempDir dir;
  const auto file = dir / "key";
  const NodeKey created = NodeKey::load_or_create(file);
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(st.st_size, 36);
  EXPECT_EQ(created.peer_id().rfind("16Uiu2", 0), 0u) << created.peer_id();
  const NodeKey loaded = NodeKey::load_or_create(file);
  EXPECT_EQ(loaded.peer_id(), created.peer_id());
  EXPECT_EQ(loaded.public_key(), created.public_key());
  EXPECT_NE(NodeKey::load_or_create(dir / "other").peer_id(), created.peer_id());
}

TEST(NodeKey, KnownKeyHasTheKnownPeerId) {
  testing::TempDir dir;
  write_raw(dir / "key",
            protobuf_of("ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"), 0600);
  const NodeKey key = NodeKey::load_or_create(dir / "key");
  EXPECT_EQ(key.peer_id(), "16Uiu2HAmMUjGmiUhJeiZgu6ZZnLRkE2VViR2JgjqtW9aTZnHQqgg");
  EXPECT_EQ(base::to_hex(key.public_key_protobuf(), false),
            "08021221038318535b54105d4a7aae60c08fc45f9687181b4fdfc625bd1a753fa7397fed75");
}

TEST(NodeKey, SignaturesVerifyWithThePublicKey) {
  testing::TempDir dir;
  const NodeKey key = NodeKey::load_or_create(dir / "key");
  const std::string msg = "noise-libp2p-static-key:...";
  const std::span<const uint8_t> m(reinterpret_cast<const uint8_t*>(msg.data()), msg.size());
  const auto sig = key.sign(m);
  const auto pub = crypto::Secp256k1PublicKey::parse(key.public_key());
  EXPECT_TRUE(pub.verify_der(sha256(m), sig));
  EXPECT_FALSE(pub.verify_der(sha256(m.first(3)), sig));
}

TEST(NodeKey, RefusesSharedMalformedAndInvalidFiles) {
  testing::TempDir dir;
  const auto good = protobuf_of("ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");
  write_raw(dir / "shared", good, 0640);
  EXPECT_THROW(NodeKey::load_or_create(dir / "shared"), crypto::KeyFileError);
  write_raw(dir / "short", std::vector<uint8_t>(good.begin(), good.end() - 1), 0600);
  EXPECT_THROW(NodeKey::load_or_create(dir / "short"), crypto::KeyFileError);
  auto ed25519 = good;
  ed25519[1] = 0x01;  // KeyType Ed25519
  write_raw(dir / "ed25519", ed25519, 0600);
  EXPECT_THROW(NodeKey::load_or_create(dir / "ed25519"), crypto::KeyFileError);
  write_raw(dir / "zero", protobuf_of(std::string(64, '0')), 0600);
  EXPECT_THROW(NodeKey::load_or_create(dir / "zero"), crypto::KeyFileError);
  // A refused file is left as it was, not replaced by a new key.
  std::ifstream in(dir / "shared", std::ios::binary);
  EXPECT_EQ(std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {}), good);
}

}  // namespace
}  // namespace codex::net
