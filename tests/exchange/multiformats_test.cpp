// Known answers computed with an independent implementation (Python hashlib and
// integer base58), plus every rejection path of the CID parser.
#include <gtest/gtest.h>

#include "base/hex.h"
#include "exchange/error.h"
#include "exchange/multiformats/base58.h"
#include "exchange/multiformats/cid.h"
#include "exchange/multiformats/multicodec.h"
#include "exchange/multiformats/varint.h"

using namespace codex;

namespace {
std::span<const uint8_t> bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}
std::string from_hex(std::string_view h) {
  const std::vector<uint8_t> b = base::from_hex(h);
  return std::string(b.begin(), b.end());
}
std::string seq32() {
  std::string s;
  for (int i = 0; i < 32; ++i)
    s.push_back(char(i));
  return s;
}
}  // namespace

TEST(Varint, RoundTripsAndRejectsMalformed) {
  for (uint64_t v : {0ull, 1ull, 127ull, 128ull, 300ull, 0xCD02ull, (1ull << 63) - 1}) {
    std::string e = varint::encode(v);
    auto in = bytes(e);
    EXPECT_EQ(varint::read(in), v);
    EXPECT_TRUE(in.empty());
  }
  EXPECT_EQ(varint::encode(0xCD02), std::string("\x82\x9a\x03", 3));
  auto truncated = bytes("\x80");
  EXPECT_THROW(varint::read(truncated), FormatError);
  auto overlong = bytes(std::string_view("\x81\x00", 2));
  EXPECT_THROW(varint::read(overlong), FormatError);
  std::string ten(9, '\xff');
  auto too_long = bytes(ten);
  EXPECT_THROW(varint::read(too_long), FormatError);
}

TEST(Base58, KnownAnswersAndBadCharacters) {
  EXPECT_EQ(base58::encode(bytes("hello world")), "StV1DL6CwTryKyV");
  EXPECT_EQ(base58::encode(bytes(std::string_view("\0\0\x01", 3))), "112");
  EXPECT_EQ(base58::decode("112"), std::string("\0\0\x01", 3));
  EXPECT_EQ(base58::decode("StV1DL6CwTryKyV"), "hello world");
  EXPECT_EQ(base58::encode({}), "");
  EXPECT_THROW(base58::decode("0OIl"), FormatError);
}

TEST(Cid, KnownBlockCids) {
  EXPECT_EQ(Cid::empty_block().to_string(), "zDxWB8EDDsokSpiTXNRpv1jS2LXjEdLgTiDfxFd7Eo8CSPKVj93r");
  EXPECT_EQ(
      Cid::empty_block().bytes(),
      from_hex("01829a031220e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
  EXPECT_EQ(Cid::sha256_of(multicodec::kBlock, bytes("hello world")).to_string(),
            "zDxWB8EDB2LXg6kdQfFTX4y3biwJbjc8q4JM1kaziEBHzTH7BmN8");
  EXPECT_EQ(Cid::sha256_of(multicodec::kManifest, bytes("abc")).to_string(),
            "zDvZRwzm9FUEQ8HGeh1xZfSvz1EXdnEL1GteazTXLSeVG1vnJHiC");
}

TEST(Cid, KnownRootSlotAndCellCids) {
  EXPECT_EQ(Cid(multicodec::kRoot, Multihash(multicodec::kSha2_256, seq32())).to_string(),
            "zDzSvJTezQSSHnSWApGv7cZ9TsPRmGtAzLP7zBFKn7ydEjqKfFci");
  EXPECT_EQ(Cid(multicodec::kSlotRoot, Multihash(multicodec::kIdentity, seq32())).to_string(),
            "zE2PfUHWAGMGJ2KmWEyVmZWwUCU41pXiMSkwHS6M5S9BUYidxVZx");
  EXPECT_EQ(
      Cid(multicodec::kSlotCell, Multihash(multicodec::kPoseidon2Merkle, seq32())).to_string(),
      "z5Q2wLtjGk4sJxgvQ7rAiWDjrGoNUKEkgLqw2BC6Tp8iWMxYciLyPn6");
}

TEST(Cid, StringAndBinaryRoundTrip) {
  Cid c = Cid::sha256_of(multicodec::kBlock, bytes("data"));
  EXPECT_EQ(Cid::parse(c.to_string()), c);
  EXPECT_EQ(Cid::from_bytes(std::string_view(c.bytes())), c);
  EXPECT_EQ(c.codec(), multicodec::kBlock);
  EXPECT_EQ(c.hash().code(), multicodec::kSha2_256);
}

TEST(Cid, RejectsMalformed) {
  std::string good = Cid::empty_block().to_string();
  EXPECT_THROW(Cid::parse(""), FormatError);
  EXPECT_THROW(Cid::parse("b" + good.substr(1)), FormatError);  // other multibase
  EXPECT_THROW(Cid::parse("QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG"), FormatError);
  EXPECT_THROW(Cid::parse(good.substr(0, good.size() - 3)), FormatError);  // truncated
  EXPECT_THROW(Cid::parse(good + "1"), FormatError);                       // trailing bytes
  EXPECT_THROW(Cid::parse("z0OIl"), FormatError);                          // not base58
  EXPECT_THROW(Cid::parse("z" + std::string(300, '2')), FormatError);      // too long
  std::string raw = Cid::empty_block().bytes();
  std::string v2 = raw;
  v2[0] = 2;
  EXPECT_THROW(Cid::from_bytes(std::string_view(v2)), FormatError);  // version
  std::string badcodec = "\x01\x77" + raw.substr(4);
  EXPECT_THROW(Cid::from_bytes(std::string_view(badcodec)), FormatError);  // unknown codec
  std::string badlen = raw;
  badlen[5] = 0x1f;  // sha2-256 digest length 31
  EXPECT_THROW(Cid::from_bytes(std::string_view(badlen)), FormatError);
  std::string badhash = raw;
  badhash[4] = 0x77;  // unknown hash function
  EXPECT_THROW(Cid::from_bytes(std::string_view(badhash)), FormatError);
  EXPECT_THROW(Cid::from_bytes(std::string_view()), FormatError);
  EXPECT_THROW(Cid(0x77, Multihash(multicodec::kSha2_256, std::string(32, 'x'))), FormatError);
  EXPECT_FALSE(Cid().valid());
}
