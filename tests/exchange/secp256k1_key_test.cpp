// The one secp256k1 key class: public keys and RFC 6979 signatures against
// vectors computed with OpenSSL (python `cryptography`, deterministic ECDSA,
// s normalised low), bad keys at the edges of the range, recovery, DER and
// compact verification, key files and their permissions, and redaction.
#include "exchange/crypto/secp256k1_key.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <array>
#include <fstream>
#include <sstream>
#include <string>

#include "base/error.h"
#include "base/hex.h"
#include "exchange/crypto/key_file.h"
#include "exchange/crypto/sha256.h"
#include "tests/support/temp_dir.h"

namespace codex::crypto {
namespace {

std::vector<uint8_t> bytes(std::string_view hex) {
  return base::from_hex(hex);
}

Digest32 sha(std::string_view text) {
  return sha256({reinterpret_cast<const uint8_t*>(text.data()), text.size()});
}

struct Vector {
  const char* secret;
  const char* message;  // signed as its SHA-256
  const char* compressed;
  const char* uncompressed;
  const char* r;
  const char* s;
};

const Vector kVectors[] = {
    {"0000000000000000000000000000000000000000000000000000000000000001", "Satoshi Nakamoto",
     "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798",
     "0479be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"
     "483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8",
     "934b1ea10a4b3c1757e2b0c017d0b6143ce3c9a7e6a4a49860d7a6ab210ee3d8",
     "2442ce9d2b916064108014783e923ec36b49743e2ffa1c4496f01a512aafd9e5"},
    // n − 1: the largest valid key, −G.
    {"fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364140", "Satoshi Nakamoto",
     "0379be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798",
     "0479be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"
     "b7c52588d95c3b9aa25b0403f1eef75702e84bb7597aabe663b82f6f04ef2777",
     "fd567d121db66e382991534ada77a6bd3106f0a1098c231e47993447cd6af2d0",
     "6b39cd0eb1bc8603e159ef5c20a5c8ad685a45b06ce9bebed3f153d10d93bed5"},
    // anvil / hardhat dev account 0.
    {"ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80", "codex",
     "038318535b54105d4a7aae60c08fc45f9687181b4fdfc625bd1a753fa7397fed75",
     "048318535b54105d4a7aae60c08fc45f9687181b4fdfc625bd1a753fa7397fed75"
     "3547f11ca8696646f2f3acb08e31016afac23e630c5d11f59f61fef57b0d2aa5",
     "5aaf22ff9ba8f2759b5c7cbda09ed42c2546fb3f48a8c69e59782131b53a7735",
     "4375b044ca489d8faff3784aabb585f50806deb2833a1a15cffa265142df3907"},
};

TEST(Secp256k1Key, KnownPublicKeysAndSignatures) {
  for (const Vector& v : kVectors) {
    const Secp256k1Key key = Secp256k1Key::from_hex(v.secret);
    EXPECT_EQ(base::to_hex(key.public_key().compressed(), false), v.compressed);
    EXPECT_EQ(base::to_hex(key.public_key().uncompressed(), false), v.uncompressed);
    const Digest32 h = sha(v.message);
    const auto compact = key.sign_compact(h);
    EXPECT_EQ(base::to_hex(std::span(compact).first(32), false), v.r) << v.secret;
    EXPECT_EQ(base::to_hex(std::span(compact).last(32), false), v.s) << v.secret;
    const RecoverableSignature rs = key.sign_recoverable(h);
    EXPECT_EQ(base::to_hex(rs.r, false), v.r);
    EXPECT_EQ(base::to_hex(rs.s, false), v.s);
    // DER of the same (r, s).
    const auto der = key.sign_der(h);
    EXPECT_EQ(der[0], 0x30);
    EXPECT_NE(base::to_hex(der, false).find(v.s), std::string::npos);
    EXPECT_TRUE(key.public_key().verify_der(h, der));
    EXPECT_TRUE(key.public_key().verify_compact(h, compact));
    EXPECT_EQ(Secp256k1PublicKey::recover(h, rs), key.public_key());
  }
}

TEST(Secp256k1Key, RefusesSecretsOutsideTheRange) {
  const char* bad[] = {
      "0000000000000000000000000000000000000000000000000000000000000000",  // zero
      "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141",  // n
      "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364142",  // n + 1
      "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
  };
  for (const char* s : bad) {
    EXPECT_THROW(Secp256k1Key::from_hex(s), base::InvalidInput) << s;
    const auto b = bytes(s);
    EXPECT_THROW(Secp256k1Key(std::span<const uint8_t, 32>(b.data(), 32)), base::InvalidInput);
  }
  // Malformed text is refused without being quoted (it may be a secret).
  for (std::string s : {std::string(63, 'a'), std::string(65, 'a'), std::string(62, 'a') + "zz",
                        std::string(66, 'a'), std::string("0x") + std::string(62, 'a')}) {
    try {
      Secp256k1Key::from_hex(s);
      ADD_FAILURE() << s;
    } catch (const base::InvalidInput& e) {
      EXPECT_EQ(std::string(e.what()).find("aaaa"), std::string::npos) << e.what();
    }
  }
  // Surrounding whitespace (a key file's newline) and 0x are fine.
  EXPECT_NO_THROW(Secp256k1Key::from_hex(std::string(" \t0x") + kVectors[0].secret + "\n"));
}

TEST(Secp256k1Key, VerificationRejectsOtherDigestsKeysAndHighS) {
  const auto key = Secp256k1Key::generate();
  const auto other = Secp256k1Key::generate();
  const Digest32 h = sha("message"), g = sha("other message");
  auto compact = key.sign_compact(h);
  EXPECT_TRUE(key.public_key().verify_compact(h, compact));
  EXPECT_FALSE(key.public_key().verify_compact(g, compact));
  EXPECT_FALSE(other.public_key().verify_compact(h, compact));
  EXPECT_FALSE(key.public_key().verify_der(h, std::vector<uint8_t>{0x30, 0x00}));
  EXPECT_FALSE(key.public_key().verify_der(h, compact));  // not DER
  // The same signature with s' = n − s is valid ECDSA but high: refused.
  const auto n = bytes("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141");
  std::array<uint8_t, 64> high = compact;
  unsigned borrow = 0;
  for (int i = 31; i >= 0; --i) {
    unsigned d = unsigned(n[size_t(i)]) - compact[size_t(32 + i)] - borrow;
    high[size_t(32 + i)] = uint8_t(d);
    borrow = d >> 31 & 1;
  }
  EXPECT_FALSE(key.public_key().verify_compact(h, high));
  // Signing is deterministic; two keys differ.
  EXPECT_EQ(key.sign_compact(h), compact);
  EXPECT_NE(key.public_key(), other.public_key());
}

TEST(Secp256k1Key, RecoveryFindsTheSignerOrRefuses) {
  const auto key = Secp256k1Key::generate();
  const Digest32 h = sha("recover me");
  RecoverableSignature s = key.sign_recoverable(h);
  EXPECT_LE(s.recovery_id, 1);
  EXPECT_EQ(Secp256k1PublicKey::recover(h, s), key.public_key());
  RecoverableSignature flipped = s;
  flipped.recovery_id ^= 1;
  EXPECT_NE(Secp256k1PublicKey::recover(h, flipped), key.public_key());
  RecoverableSignature zero;  // r = s = 0
  EXPECT_THROW(Secp256k1PublicKey::recover(h, zero), base::InvalidInput);
  s.recovery_id = 4;
  EXPECT_THROW(Secp256k1PublicKey::recover(h, s), base::InvalidInput);
}

TEST(Secp256k1PublicKey, ParsesBothEncodingsAndRefusesOthers) {
  const Vector& v = kVectors[2];
  const auto c = Secp256k1PublicKey::parse(bytes(v.compressed));
  const auto u = Secp256k1PublicKey::parse(bytes(v.uncompressed));
  EXPECT_EQ(c, u);
  EXPECT_EQ(base::to_hex(c.uncompressed(), false), v.uncompressed);
  EXPECT_THROW(Secp256k1PublicKey::parse(bytes("02")), base::InvalidInput);
  auto off_curve = bytes(v.uncompressed);
  off_curve.back() ^= 1;
  EXPECT_THROW(Secp256k1PublicKey::parse(off_curve), base::InvalidInput);
  auto bad_prefix = bytes(v.compressed);
  bad_prefix[0] = 0x05;
  EXPECT_THROW(Secp256k1PublicKey::parse(bad_prefix), base::InvalidInput);
  // x = 5 has no y on secp256k1 (5³ + 7 = 132 is not a square mod p).
  auto no_point = std::vector<uint8_t>(33, 0);
  no_point[0] = 0x02;
  no_point[32] = 5;
  EXPECT_THROW(Secp256k1PublicKey::parse(no_point), base::InvalidInput);
}

TEST(Secp256k1Key, FormattingRedactsTheSecret) {
  const auto key = Secp256k1Key::from_hex(kVectors[2].secret);
  std::ostringstream os;
  os << key;
  EXPECT_EQ(os.str().find("ac0974bec"), std::string::npos) << os.str();
  EXPECT_NE(os.str().find("redacted"), std::string::npos);
  EXPECT_NE(os.str().find(kVectors[2].compressed), std::string::npos);
  // Moved from: unusable, still printable, still redacted.
  Secp256k1Key moved = Secp256k1Key::from_hex(kVectors[2].secret);
  Secp256k1Key to = std::move(moved);
  EXPECT_THROW(moved.sign_compact(sha("x")), std::logic_error);  // NOLINT(bugprone-use-after-move)
  EXPECT_THROW(moved.reveal_secret(), std::logic_error);         // NOLINT(bugprone-use-after-move)
  std::ostringstream os2;
  os2 << moved;  // NOLINT(bugprone-use-after-move)
  EXPECT_NE(os2.str().find("moved"), std::string::npos);
  EXPECT_EQ(base::to_hex(to.reveal_secret(), false), kVectors[2].secret);
}

TEST(Secp256k1Key, GeneratedKeysDiffer) {
  const auto a = Secp256k1Key::generate(), b = Secp256k1Key::generate();
  EXPECT_NE(a.reveal_secret(), b.reveal_secret());
  EXPECT_NE(a.public_key(), b.public_key());
}

TEST(KeyFile, LoadsPrivateFilesAndRefusesSharedOnes) {
  testing::TempDir dir;
  const auto p = dir / "key";
  std::ofstream(p) << "0x" << kVectors[2].secret << "\n";
  ::chmod(p.c_str(), 0600);
  EXPECT_EQ(Secp256k1Key::load_hex_file(p).public_key().compressed(),
            Secp256k1Key::from_hex(kVectors[2].secret).public_key().compressed());
  ::chmod(p.c_str(), 0400);
  EXPECT_NO_THROW(Secp256k1Key::load_hex_file(p));
  for (mode_t mode : {0640, 0604, 0620, 0602, 0610, 0601, 0644, 0666}) {
    ::chmod(p.c_str(), mode);
    try {
      Secp256k1Key::load_hex_file(p);
      ADD_FAILURE() << std::oct << mode;
    } catch (const KeyFileError& e) {
      EXPECT_NE(std::string(e.what()).find("chmod 600"), std::string::npos) << e.what();
    }
  }
  EXPECT_THROW(Secp256k1Key::load_hex_file(dir / "missing"), KeyFileError);
  EXPECT_THROW(Secp256k1Key::load_hex_file(dir.path()), KeyFileError);  // a directory
  // Malformed content: refused, and the error does not quote it.
  std::ofstream(dir / "bad") << std::string(63, 'a');
  ::chmod((dir / "bad").c_str(), 0600);
  try {
    Secp256k1Key::load_hex_file(dir / "bad");
    FAIL();
  } catch (const KeyFileError& e) {
    EXPECT_EQ(std::string(e.what()).find("aaaa"), std::string::npos) << e.what();
  }
  // An out-of-range secret in a file.
  std::ofstream(dir / "zero") << std::string(64, '0');
  ::chmod((dir / "zero").c_str(), 0600);
  EXPECT_THROW(Secp256k1Key::load_hex_file(dir / "zero"), KeyFileError);
  // Too large to be a key file.
  std::ofstream(dir / "big") << std::string(10000, 'a');
  ::chmod((dir / "big").c_str(), 0600);
  EXPECT_THROW(read_key_file(dir / "big"), KeyFileError);
}

TEST(KeyFile, WritesPrivateFilesAtomically) {
  testing::TempDir dir;
  const auto p = dir / "key";
  std::ofstream(p) << "old";
  ::chmod(p.c_str(), 0644);  // replaced by a private file
  const std::vector<uint8_t> content = {1, 2, 3, 4};
  write_key_file(p, content);
  struct stat st {};
  ASSERT_EQ(::stat(p.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  const SecretBytes back = read_key_file(p);
  EXPECT_EQ(std::vector<uint8_t>(back.data(), back.data() + back.size()), content);
  EXPECT_FALSE(std::filesystem::exists(dir / "key.tmp"));
  EXPECT_THROW(write_key_file(dir / "no-such-dir" / "key", content), KeyFileError);
}

}  // namespace
}  // namespace codex::crypto
