#include "base/strings.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace codex::base {
namespace {

TEST(Strings, TrimDropsSurroundingWhiteSpace) {
  EXPECT_EQ(trim("  a b\t\r\n"), "a b");
  EXPECT_EQ(trim(" \t "), "");
  EXPECT_EQ(trim(""), "");
}

TEST(Strings, ParseDecimalTakesTheWholeTextOrNothing) {
  EXPECT_EQ(parse_decimal<uint64_t>("0"), 0u);
  EXPECT_EQ(parse_decimal<uint64_t>("18446744073709551615"), UINT64_MAX);
  EXPECT_EQ(parse_decimal<int64_t>("-5"), -5);
  for (const char* bad : {"", "-1", "+1", " 1", "1 ", "1x", "0x10", "18446744073709551616", "1e3"})
    EXPECT_EQ(parse_decimal<uint64_t>(bad), std::nullopt) << '"' << bad << '"';
}

}  // namespace
}  // namespace codex::base
