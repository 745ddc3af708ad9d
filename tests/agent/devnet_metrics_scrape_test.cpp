// The devnet's reader of /metrics sample lines: sums by name, skips what it
// cannot read instead of failing the live view.
#include "agent/devnet/metrics_scrape.h"

#include <gtest/gtest.h>

namespace codex::devnet {
namespace {

TEST(DevnetMetricsScrape, SumsEachFamilyOverItsLabelSets) {
  const auto m = sum_metrics(
      "# HELP codex_sales_slots Sales by state\n"
      "# TYPE codex_sales_slots gauge\n"
      "codex_sales_slots{state=\"SaleProving\"} 2\n"
      "codex_sales_slots{state=\"Sale Filled, {odd}\"} 1\n"
      "codex_sales_proofs_required_total 7\n"
      "codex_api_request_duration_seconds_bucket{method=\"GET\",le=\"+Inf\"} 3 1700000000\n"
      "codex_store_bytes 1.5e6\n");
  EXPECT_EQ(m.at("codex_sales_slots"), 3);
  EXPECT_EQ(m.at("codex_sales_proofs_required_total"), 7);
  EXPECT_EQ(m.at("codex_api_request_duration_seconds_bucket"), 3);
  EXPECT_EQ(m.at("codex_store_bytes"), 1.5e6);
  EXPECT_EQ(m.size(), 4u);
}

TEST(DevnetMetricsScrape, MalformedLinesAreSkipped) {
  const auto m = sum_metrics(
      "\n{x=\"1\"} 3\nno_value\nunclosed{a=\"b\" 4\nvalue_word x\n ok_leading_space 1\ngood 2\n");
  EXPECT_EQ(m.size(), 1u);
  EXPECT_EQ(m.at("good"), 2);
  EXPECT_TRUE(sum_metrics("").empty());
  EXPECT_TRUE(sum_metrics(std::string("\0\0\xff", 3)).empty());
}

TEST(DevnetMetricsScrape, ANodeThatDoesNotAnswerIsAnError) {
  EXPECT_THROW(scrape_metrics("http://127.0.0.1:1"), std::runtime_error);
}

}  // namespace
}  // namespace codex::devnet
