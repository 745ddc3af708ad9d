// The hex codec: round trips, the prefix rules, and every kind of bad input
// refused with a message that says what is wrong.
#include "base/hex.h"

#include <gtest/gtest.h>

#include <array>
#include <random>
#include <string>

#include "base/error.h"

namespace codex::base {
namespace {

using Bytes = std::vector<uint8_t>;

std::string message_of(std::string_view text, HexPrefix p = HexPrefix::kOptional) {
  try {
    from_hex(text, p);
  } catch (const InvalidInput& e) {
    return e.what();
  }
  ADD_FAILURE() << "no error for '" << text << "'";
  return "";
}

TEST(Hex, EncodesLowerCaseWithOrWithoutPrefix) {
  const Bytes b = {0x00, 0x01, 0xab, 0xff, 0x7f};
  EXPECT_EQ(to_hex(b), "0x0001abff7f");
  EXPECT_EQ(to_hex(b, false), "0001abff7f");
  EXPECT_EQ(to_hex(Bytes{}), "0x");
  EXPECT_EQ(to_hex(Bytes{}, false), "");
}

TEST(Hex, DecodesEitherCaseAndThePrefix) {
  EXPECT_EQ(from_hex("0x0001ABff7F"), (Bytes{0x00, 0x01, 0xab, 0xff, 0x7f}));
  EXPECT_EQ(from_hex("0X0a"), (Bytes{0x0a}));
  EXPECT_EQ(from_hex("0a"), (Bytes{0x0a}));
  EXPECT_EQ(from_hex(""), Bytes{});
  EXPECT_EQ(from_hex("0x"), Bytes{});
  EXPECT_EQ(from_hex("0x0a", HexPrefix::kRequired), (Bytes{0x0a}));
  EXPECT_EQ(from_hex("0a", HexPrefix::kNone), (Bytes{0x0a}));
  // "0x" is a prefix only where one is allowed: "00" is a zero byte.
  EXPECT_EQ(from_hex("00", HexPrefix::kNone), (Bytes{0x00}));
}

TEST(Hex, RoundTripsEveryByteValue) {
  std::mt19937 rng(3);
  for (size_t n : {1, 2, 31, 32, 33, 1000}) {
    Bytes b(n);
    for (auto& x : b)
      x = uint8_t(rng());
    EXPECT_EQ(from_hex(to_hex(b)), b);
    EXPECT_EQ(from_hex(to_hex(b, false), HexPrefix::kNone), b);
  }
  Bytes all(256);
  for (int i = 0; i < 256; ++i)
    all[size_t(i)] = uint8_t(i);
  EXPECT_EQ(from_hex(to_hex(all)), all);
}

TEST(Hex, RefusesAnOddNumberOfDigits) {
  EXPECT_NE(message_of("0x123").find("odd number of digits (3)"), std::string::npos);
  EXPECT_NE(message_of("f").find("odd"), std::string::npos);
  EXPECT_NE(message_of("0x0").find("odd"), std::string::npos);
}

TEST(Hex, RefusesBadDigitsNamingTheOffset) {
  EXPECT_NE(message_of("0xzz").find("bad digit at offset 2"), std::string::npos);
  EXPECT_NE(message_of("00g0").find("bad digit at offset 2"), std::string::npos);
  EXPECT_NE(message_of("000 ").find("offset 3"), std::string::npos);  // no whitespace
  EXPECT_NE(message_of(" 0x0").find("bad digit at offset 0"), std::string::npos);
  EXPECT_NE(message_of("0x+1").find("bad digit"), std::string::npos);
  EXPECT_NE(message_of("0x-1").find("bad digit"), std::string::npos);
  EXPECT_NE(message_of("xx").find("bad digit at offset 0"), std::string::npos);
  EXPECT_NE(message_of(std::string("0\0", 2)).find("bad digit"), std::string::npos);
  EXPECT_NE(message_of("0x0x00").find("bad digit"), std::string::npos);  // one prefix only
  // The message quotes the start of the text, not all of a long one.
  const std::string m = message_of(std::string(1000, 'a') + "q0");
  EXPECT_LT(m.size(), 200u);
  EXPECT_NE(m.find("offset 1000"), std::string::npos);
}

TEST(Hex, EnforcesThePrefixRule) {
  EXPECT_NE(message_of("0a", HexPrefix::kRequired).find("missing 0x prefix"), std::string::npos);
  EXPECT_NE(message_of("", HexPrefix::kRequired).find("missing 0x prefix"), std::string::npos);
  EXPECT_NE(message_of("0x0a", HexPrefix::kNone).find("unexpected 0x prefix"), std::string::npos);
}

TEST(Hex, ExactLengthLeavesTheOutputAloneOnError) {
  std::array<uint8_t, 4> out{9, 9, 9, 9};
  from_hex_exact("0x01020304", out);
  EXPECT_EQ(out, (std::array<uint8_t, 4>{1, 2, 3, 4}));
  out = {9, 9, 9, 9};
  try {
    from_hex_exact("010203", out);
    FAIL();
  } catch (const InvalidInput& e) {
    EXPECT_NE(std::string(e.what()).find("expected 4 bytes, got 3"), std::string::npos);
  }
  EXPECT_THROW(from_hex_exact("0102030405", out), InvalidInput);
  EXPECT_THROW(from_hex_exact("010203zz", out), InvalidInput);
  EXPECT_THROW(from_hex_exact("01020304", out, HexPrefix::kRequired), InvalidInput);
  EXPECT_EQ(out, (std::array<uint8_t, 4>{9, 9, 9, 9}));
}

TEST(Hex, DigitValues) {
  EXPECT_EQ(hex_digit_value('0'), 0);
  EXPECT_EQ(hex_digit_value('9'), 9);
  EXPECT_EQ(hex_digit_value('a'), 10);
  EXPECT_EQ(hex_digit_value('F'), 15);
  for (char c : std::string("gG/:@`x \n"))
    EXPECT_EQ(hex_digit_value(c), -1) << c;
  for (int v = 0; v < 16; ++v)
    EXPECT_EQ(hex_digit_value(kHexDigits[v]), v);
}

}  // namespace
}  // namespace codex::base
