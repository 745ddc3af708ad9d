// Parsers of REST request headers, and the small helpers of the REST edge.
#include <gtest/gtest.h>

#include "agent/api/allowed_methods.h"
#include "agent/api/byte_range.h"
#include "agent/api/content_disposition.h"
#include "agent/api/mime_types.h"
#include "agent/api/utf8.h"

using namespace codex::agent;

TEST(ContentDisposition, Filenames) {
  EXPECT_EQ(filename_from_content_disposition("attachment; filename=\"a.txt\""), "a.txt");
  EXPECT_EQ(filename_from_content_disposition("attachment;filename=\"b c.pdf\""), "b c.pdf");
  EXPECT_EQ(filename_from_content_disposition("attachment; filename=plain.bin"), "plain.bin");
  EXPECT_EQ(filename_from_content_disposition("form-data; name=\"f\"; filename=\"x\""), "x");
  EXPECT_EQ(filename_from_content_disposition("attachment; filename=\"q\\\"uote\""), "q\"uote");
}

TEST(ContentDisposition, RejectsMalformedAndUnsafe) {
  for (const char* bad : {"", "attachment", "attachment; filename=\"\"", "attachment; filename",
                          "attachment; filename=\"unterminated", "weird; filename=\"a\"",
                          "attachment; filename=\"../etc/passwd\"", "attachment; filename=\"a/b\"",
                          "attachment; filename=\"..\"", "attachment; filename=\"a\" junk",
                          "attachment; filename=\"a\x01\""})
    EXPECT_FALSE(filename_from_content_disposition(bad).has_value()) << bad;
  EXPECT_FALSE(
      filename_from_content_disposition("attachment; filename=\"" + std::string(300, 'a') + "\""));
}

TEST(MimeTypes, KnownTypes) {
  EXPECT_TRUE(is_known_mime_type("text/plain"));
  EXPECT_TRUE(is_known_mime_type("Text/Plain; charset=utf-8"));
  EXPECT_TRUE(is_known_mime_type("application/octet-stream"));
  EXPECT_TRUE(is_known_mime_type("image/png"));
  EXPECT_FALSE(is_known_mime_type("foo/bar"));
  EXPECT_FALSE(is_known_mime_type(""));
  EXPECT_FALSE(is_known_mime_type("text"));
  EXPECT_EQ(normalise_mime_type(" Image/PNG ; q=1"), "image/png");
}

TEST(ContentDisposition, RefusesNamesThatAreNotUtf8) {
  EXPECT_EQ(filename_from_content_disposition("attachment; filename=\"caf\xc3\xa9\""),
            "caf\xc3\xa9");
  for (const char* bad : {"attachment; filename=\"caf\xe9\"", "attachment; filename=\"\xff\"",
                          "attachment; filename=\"\xc0\xaf\"",       // overlong "/"
                          "attachment; filename=\"\xed\xa0\x80\""})  // a surrogate
    EXPECT_FALSE(filename_from_content_disposition(bad).has_value()) << bad;
}

TEST(Utf8, WellFormedness) {
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8("plain"));
  EXPECT_TRUE(is_valid_utf8("\xe2\x82\xac \xf0\x9f\x98\x80"));  // € 😀
  EXPECT_FALSE(is_valid_utf8("\xe2\x82"));                      // truncated
  EXPECT_FALSE(is_valid_utf8("\xf4\x90\x80\x80"));              // above U+10FFFF
  EXPECT_FALSE(is_valid_utf8("\x80"));
}

using Span = std::pair<uint64_t, uint64_t>;

TEST(ByteRange, Rfc9110) {
  auto sat = [](std::string_view h, uint64_t size) {
    auto r = parse_byte_range(h, size);
    auto* s = std::get_if<SatisfiableRange>(&r);
    return s ? std::optional(std::pair(s->first, s->last)) : std::nullopt;
  };
  auto whole = [](std::string_view h) {
    return std::holds_alternative<WholeRange>(parse_byte_range(h, 1000));
  };
  auto unsat = [](std::string_view h, uint64_t size) {
    return std::holds_alternative<UnsatisfiableRange>(parse_byte_range(h, size));
  };
  EXPECT_EQ(sat("bytes=0-99", 1000), Span(0, 99));
  EXPECT_EQ(sat("bytes=500-", 1000), Span(500, 999));
  EXPECT_EQ(sat("bytes=500-5000", 1000), Span(500, 999));  // clamped
  EXPECT_EQ(sat("bytes=-100", 1000), Span(900, 999));
  EXPECT_EQ(sat("bytes=-5000", 1000), Span(0, 999));
  EXPECT_EQ(sat(" bytes=999-999 ", 1000), Span(999, 999));
  EXPECT_TRUE(unsat("bytes=1000-", 1000));
  EXPECT_TRUE(unsat("bytes=3000-4000", 1000));
  EXPECT_TRUE(unsat("bytes=-0", 1000));
  // Absent, other units, several ranges and malformed headers are ignored.
  for (const char* h : {"", "items=0-1", "bytes=0-1,5-6", "bytes=", "bytes=-", "bytes=a-b",
                        "bytes=5-1", "bytes=1-2-3", "bytes=99999999999999999999999-"})
    EXPECT_TRUE(whole(h)) << h;
}

TEST(AllowedMethods, AllowHeaderPerPath) {
  AllowedMethods m;
  m.add("POST", "/data");
  m.add("GET", "/data");
  m.add("DELETE", R"(/data/([^/]+))");
  m.add("GET", R"(/data/([^/]+))");
  m.add("GET", R"(/data/([^/]+))");  // once
  EXPECT_EQ(m.allow_header("/data"), "GET, POST");
  EXPECT_EQ(m.allow_header("/data/abc"), "GET, DELETE");
  EXPECT_EQ(m.allow_header("/data/abc/def"), "");
  EXPECT_EQ(m.allow_header("/other"), "");
}
