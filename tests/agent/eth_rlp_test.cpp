// RLP and the 256-bit integer type.
#include <gtest/gtest.h>

#include "agent/eth/rlp.h"

namespace codex::eth {
namespace {

Bytes str(const std::string& s) {
  return Bytes(s.begin(), s.end());
}

TEST(Rlp, EncodesYellowPaperExamples) {
  EXPECT_EQ(to_hex(rlp::encode_bytes(str("dog"))), "0x83646f67");
  EXPECT_EQ(
      to_hex(rlp::encode_list({rlp::encode_bytes(str("cat")), rlp::encode_bytes(str("dog"))})),
      "0xc88363617483646f67");
  EXPECT_EQ(to_hex(rlp::encode_bytes({})), "0x80");
  EXPECT_EQ(to_hex(rlp::encode_list({})), "0xc0");
  EXPECT_EQ(to_hex(rlp::encode_uint(0)), "0x80");
  EXPECT_EQ(to_hex(rlp::encode_uint(15)), "0x0f");
  EXPECT_EQ(to_hex(rlp::encode_uint(1024)), "0x820400");
  // The set-theoretic representation of three: [ [], [[]], [ [], [[]] ] ]
  Bytes e = rlp::encode_list({});
  Bytes l1 = rlp::encode_list({e});
  EXPECT_EQ(to_hex(rlp::encode_list({e, l1, rlp::encode_list({e, l1})})), "0xc7c0c1c0c3c0c1c0");
  std::string lorem = "Lorem ipsum dolor sit amet, consectetur adipisicing elit";
  Bytes enc = rlp::encode_bytes(str(lorem));
  EXPECT_EQ(enc[0], 0xb8);
  EXPECT_EQ(enc[1], 56);
}

TEST(Rlp, DecodeRoundTrip) {
  Bytes big(1000, 0x42);
  Bytes enc = rlp::encode_list({rlp::encode_bytes(big),
                                rlp::encode_uint(Uint256::from_string("0x0102030405060708090a")),
                                rlp::encode_list({rlp::encode_bytes(str("x"))})});
  rlp::Item it = rlp::decode(enc);
  ASSERT_TRUE(it.is_list);
  ASSERT_EQ(it.items.size(), 3u);
  EXPECT_EQ(it.items[0].bytes, big);
  EXPECT_EQ(it.items[1].as_uint(), Uint256::from_string("0x0102030405060708090a"));
  EXPECT_EQ(it.items[2].items[0].bytes, str("x"));
}

TEST(Rlp, DecodeRejectsMalformedInput) {
  const char* bad[] = {
      "",          // empty
      "0x81",      // truncated string
      "0x8100",    // single byte < 0x80 must encode as itself
      "0xb800",    // long form for a short length
      "0xb90000",  // length with leading zero
      "0xc3",      // truncated list
      "0xc18180",  // list payload ends inside an item
      "0x8000",    // trailing bytes
      "0xbf0102",  // 8-byte length that does not fit
  };
  for (const char* b : bad)
    EXPECT_THROW(rlp::decode(from_hex(b)), rlp::DecodeError) << b;
  Bytes deep(100, 0xc1);  // nesting deeper than the limit
  deep.push_back(0x80);
  for (size_t i = 0; i < 100; ++i)
    deep[i] = static_cast<uint8_t>(0xc0 + (100 - i));
  EXPECT_THROW(rlp::decode(deep), rlp::DecodeError);
  EXPECT_THROW(rlp::decode(from_hex("0x820001")).as_uint(),
               rlp::DecodeError);  // integer with leading zero
}

TEST(Uint256, ArithmeticAndConversions) {
  Uint256 ether = Uint256::from_string("1000000000000000000");
  Uint256 big = ether * Uint256(10000);
  EXPECT_EQ(big.to_dec(), "10000000000000000000000");
  EXPECT_EQ(big.to_quantity(), "0x21e19e0c9bab2400000");
  EXPECT_EQ(Uint256::from_string("0x21e19e0c9bab2400000"), big);
  EXPECT_EQ((big - ether).to_dec(), "9999000000000000000000");
  uint64_t rem = 0;
  EXPECT_EQ(big.div_u64(7, &rem).to_dec(), "1428571428571428571428");
  EXPECT_EQ(rem, 4u);
  Uint256 max = Uint256::from_string("0x" + std::string(64, 'f'));
  EXPECT_EQ(max.bit_length(), 256u);
  EXPECT_EQ(Uint256::from_be_bytes(max.to_be_bytes()), max);
  EXPECT_THROW(max + Uint256(1), std::overflow_error);
  EXPECT_THROW(Uint256(1) - Uint256(2), std::overflow_error);
  EXPECT_THROW(max * Uint256(2), std::overflow_error);
  EXPECT_THROW(Uint256(1).div_u64(0), std::overflow_error);
  EXPECT_THROW(big.to_u64(), std::overflow_error);
  EXPECT_LT(Uint256(5), big);
  EXPECT_EQ(Uint256(0).to_quantity(), "0x0");
  for (const char* bad : {"", "0x", "12a", "0xg", "-1",
                          "0x1"
                          "0000000000000000000000000000000000000000000000000000000000000000"})
    EXPECT_THROW(Uint256::from_string(bad), std::invalid_argument) << bad;
}

TEST(Hex, ParsesAndRejects) {
  EXPECT_EQ(from_hex("0xDEADbeef"), (Bytes{0xde, 0xad, 0xbe, 0xef}));
  EXPECT_EQ(from_hex(""), Bytes{});
  EXPECT_THROW(from_hex("0x123"), std::invalid_argument);
  EXPECT_THROW(from_hex("0xzz"), std::invalid_argument);
  EXPECT_EQ(parse_quantity("0x1f"), 31u);
  EXPECT_EQ(quantity(0), "0x0");
  EXPECT_THROW(parse_quantity("31"), std::invalid_argument);
  EXPECT_THROW(parse_quantity("0x"), std::invalid_argument);
  EXPECT_THROW(parse_quantity("0x10000000000000000"), std::invalid_argument);
}

}  // namespace
}  // namespace codex::eth
