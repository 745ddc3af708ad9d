// Parsers of REST request headers.
#include <gtest/gtest.h>

#include "agent/api/content_disposition.h"
#include "agent/api/mime_types.h"

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
