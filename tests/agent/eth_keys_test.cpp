// Private keys, address derivation, key files and keystore v3.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "agent/eth/hex.h"
#include "agent/eth/keccak.h"
#include "agent/eth/keystore.h"
#include "agent/eth/private_key.h"

namespace codex::eth {
namespace {

// anvil / hardhat dev account 0 (well-known test key).
constexpr const char* kDevKey0 =
    "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
constexpr const char* kDevAddr0 = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";

// Generated with Node's crypto (scrypt, aes-128-ctr) and js-sha3 (MAC); the key is
// the web3.js documentation example key, whose address is independently known.
constexpr const char* kNodeKeystore =
    R"({"version":3,"id":"0b4c2a3e-1111-4222-8333-444455556666","address":"2c7536e3605d9c16a7a3d7b1898e529396a65c23","crypto":{"cipher":"aes-128-ctr","cipherparams":{"iv":"09090909090909090909090909090909"},"ciphertext":"143191089de1d0719e55d2ef2500dfd51468ddac978cf3fae275267b9828c386","kdf":"scrypt","kdfparams":{"dklen":32,"n":4096,"r":8,"p":1,"salt":"0707070707070707070707070707070707070707070707070707070707070707"},"mac":"3092387ac04137feeae581bed4817d77196df5941063b9883e27dca5cd968196"}})";

// The PBKDF2 test vector of the Web3 Secret Storage definition (password "testpassword").
constexpr const char* kPbkdf2Keystore =
    R"({"crypto":{"cipher":"aes-128-ctr","cipherparams":{"iv":"6087dab2f9fdbbfaddc31a909735c1e6"},"ciphertext":"5318b4d5bcd28de64ee5559e671353e16f075ecae9f99c7a79a38af5f869aa46","kdf":"pbkdf2","kdfparams":{"c":262144,"dklen":32,"prf":"hmac-sha256","salt":"ae3cd4e7013836a3df6bd7241b12db061dbe2c6785853cce422d148a624ce0bd"},"mac":"517ead924a9d0dc3124507e3393d175ce3ff7c1e96529c6c555ce9e51205e9b2"},"id":"3198bc9c-6672-5ab3-d995-4942343ae5b6","version":3})";

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "eth_keys_XXXXXX").string();
    path = mkdtemp(tmpl.data());
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

TEST(PrivateKey, DerivesKnownAddresses) {
  EXPECT_EQ(PrivateKey::from_hex(kDevKey0).address().checksummed(), kDevAddr0);
  EXPECT_EQ(
      PrivateKey::from_hex("  59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d\n")
          .address()
          .checksummed(),
      "0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
}

TEST(PrivateKey, RejectsInvalidSecrets) {
  EXPECT_THROW(PrivateKey::from_hex("0x00"), std::invalid_argument);
  EXPECT_THROW(PrivateKey::from_hex(std::string(64, '0')), std::invalid_argument);
  EXPECT_THROW(PrivateKey::from_hex(std::string(64, 'f')),
               std::invalid_argument);  // above the order
  EXPECT_THROW(PrivateKey::from_hex(std::string(64, 'g')), std::invalid_argument);
  try {
    PrivateKey::from_hex(std::string(63, 'a') + "z");
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()).find("aaaa"), std::string::npos)
        << "error must not echo the secret";
  }
}

TEST(PrivateKey, FormattingRedactsTheSecret) {
  auto key = PrivateKey::from_hex(kDevKey0);
  std::ostringstream os;
  os << key;
  EXPECT_EQ(os.str().find("ac0974bec"), std::string::npos);
  EXPECT_NE(os.str().find("redacted"), std::string::npos);
  EXPECT_NE(os.str().find(kDevAddr0), std::string::npos);
}

TEST(PrivateKey, SignaturesRecoverToTheSigner) {
  auto key = PrivateKey::generate();
  auto h = keccak256("message");
  Signature s = key.sign(h);
  EXPECT_EQ(recover_address(h, s), key.address());
  EXPECT_EQ(key.sign(h).r, s.r);  // RFC 6979: deterministic
  s.s[31] ^= 1;
  EXPECT_NE(recover_address(h, s), key.address());
  Signature bad;
  EXPECT_THROW(recover_address(h, bad), std::invalid_argument);  // r = s = 0
}

TEST(PrivateKey, MovedFromKeyIsUnusable) {
  auto a = PrivateKey::from_hex(kDevKey0);
  PrivateKey b = std::move(a);
  EXPECT_EQ(b.address().checksummed(), kDevAddr0);
  EXPECT_THROW(a.sign(keccak256("x")), std::logic_error);  // NOLINT(bugprone-use-after-move)
}

TEST(KeyFile, LoadsPrivateFilesAndRefusesSharedOnes) {
  TempDir dir;
  auto p = dir.path / "key";
  std::ofstream(p) << kDevKey0 << "\n";
  ::chmod(p.c_str(), 0600);
  EXPECT_EQ(PrivateKey::load_file(p).address().checksummed(), kDevAddr0);
  for (mode_t mode : {0640, 0604, 0620, 0644}) {
    ::chmod(p.c_str(), mode);
    EXPECT_THROW(PrivateKey::load_file(p), std::runtime_error) << std::oct << mode;
  }
  EXPECT_THROW(PrivateKey::load_file(dir.path / "missing"), std::runtime_error);
  std::ofstream(dir.path / "bad") << "not a key";
  ::chmod((dir.path / "bad").c_str(), 0600);
  EXPECT_THROW(PrivateKey::load_file(dir.path / "bad"), std::runtime_error);
}

TEST(Keystore, DecryptsNodeGeneratedScryptFile) {
  auto key = decrypt_keystore(kNodeKeystore, "codex-pass");
  EXPECT_EQ(key.address().checksummed(), "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23");
  EXPECT_THROW(decrypt_keystore(kNodeKeystore, "wrong"), KeystoreError);
}

TEST(Keystore, DecryptsSpecPbkdf2Vector) {
  auto key = decrypt_keystore(kPbkdf2Keystore, "testpassword");
  auto secret = key.reveal_secret();
  EXPECT_EQ(to_hex(secret, false),
            "7a28b5ba57c53603b0b07b56bba752f7784bf506fa95edc395f5cf6c7514fe9d");
}

TEST(Keystore, RoundTripsOwnEncryption) {
  auto key = PrivateKey::generate();
  std::string doc = encrypt_keystore(key, "pw", 10);
  EXPECT_EQ(doc.find(to_hex(key.reveal_secret(), false)), std::string::npos);
  EXPECT_EQ(decrypt_keystore(doc, "pw").address(), key.address());
}

TEST(Keystore, RejectsMalformedDocuments) {
  std::string good = kNodeKeystore;
  auto with = [&](const std::string& from, const std::string& to) {
    std::string s = good;
    auto pos = s.find(from);
    EXPECT_NE(pos, std::string::npos) << from;
    return s.replace(pos, from.size(), to);
  };
  const std::string cases[] = {
      "",
      "[]",
      "{",
      with("\"version\":3", "\"version\":4"),
      with("aes-128-ctr", "aes-256-gcm"),
      with("\"kdf\":\"scrypt\"", "\"kdf\":\"argon2\""),
      with("\"n\":4096", "\"n\":4095"),
      with("\"n\":4096", "\"n\":2097152"),  // 2^21: refused, not allocated
      with("\"r\":8", "\"r\":800"),
      with("\"n\":4096", "\"n\":\"4096\""),
      with("\"iv\":\"09090909090909090909090909090909\"", "\"iv\":\"0909\""),
      with("\"mac\":\"3092", "\"mac\":\"4092"),
      with("\"ciphertext\":\"1431", "\"ciphertext\":\"zz31"),
      with("\"dklen\":32", "\"dklen\":16"),
      with("2c7536e3605d9c16a7a3d7b1898e529396a65c23", "0000000000000000000000000000000000000000"),
  };
  for (const auto& c : cases)
    EXPECT_THROW(decrypt_keystore(c, "codex-pass"), KeystoreError) << c.substr(0, 80);
}

// Seen writing the keystore fuzz harness (its regressions/ input): parameters within
// each bound that together ask scrypt for 8 GiB, or whose r·p wraps to 0.
TEST(Keystore, RefusesScryptCostsBeyondTheMemoryBound) {
  auto with = [](const std::string& n, const std::string& r, const std::string& p) {
    std::string s = kNodeKeystore;
    s.replace(s.find("\"n\":4096"), 8, "\"n\":" + n);
    s.replace(s.find("\"r\":8"), 5, "\"r\":" + r);
    s.replace(s.find("\"p\":1"), 5, "\"p\":" + p);
    return s;
  };
  const auto t0 = std::chrono::steady_clock::now();
  try {
    decrypt_keystore(with("1048576", "64", "1"), "codex-pass");
    ADD_FAILURE() << "an 8 GiB scrypt was attempted";
  } catch (const KeystoreError& e) {
    EXPECT_NE(std::string(e.what()).find("needs 8192 MiB"), std::string::npos) << e.what();
  }
  EXPECT_THROW(decrypt_keystore(with("4096", "4294967296", "4294967296"), "codex-pass"),
               KeystoreError);
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 2.0);
}

}  // namespace
}  // namespace codex::eth
