// The metrics registry and its Prometheus text exposition (format 0.0.4).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <thread>

#include "base/metrics/registry.h"
#include "base/metrics/text_format.h"

using namespace codex::base::metrics;

namespace {
bool has_line(const std::string& text, const std::string& line) {
  return ("\n" + text).find("\n" + line + "\n") != std::string::npos;
}
}  // namespace

TEST(MetricsTextFormat, Names) {
  EXPECT_TRUE(valid_metric_name("codex_store_blocks"));
  EXPECT_TRUE(valid_metric_name("a:b_c9"));
  EXPECT_TRUE(valid_metric_name("_x"));
  for (const char* bad : {"", "9a", "a-b", "a b", "é", "a.b"})
    EXPECT_FALSE(valid_metric_name(bad)) << bad;
  EXPECT_TRUE(valid_label_name("method"));
  for (const char* bad : {"", "__reserved", "a:b", "1x", "a-b"})
    EXPECT_FALSE(valid_label_name(bad)) << bad;
}

TEST(MetricsTextFormat, Escaping) {
  EXPECT_EQ(escape_label_value(R"(a\b"c)"
                               "\nd"),
            R"(a\\b\"c\nd)");
  // HELP keeps double quotes as they are (only \ and line feeds are escaped).
  EXPECT_EQ(escape_help("say \"hi\"\\\nbye"), R"(say "hi"\\\nbye)");
  EXPECT_EQ(escape_label_value("plain ünïcode"), "plain ünïcode");
}

TEST(MetricsTextFormat, Values) {
  EXPECT_EQ(format_value(0), "0");
  EXPECT_EQ(format_value(42), "42");
  EXPECT_EQ(format_value(-3), "-3");
  EXPECT_EQ(format_value(1ull << 40), "1099511627776");
  EXPECT_EQ(format_value(0.25), "0.25");
  EXPECT_EQ(format_value(0.001), "0.001");
  EXPECT_EQ(std::stod(format_value(0.1 + 0.2)), 0.1 + 0.2);  // reads back exactly
  EXPECT_EQ(format_value(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(format_value(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(format_value(std::nan("")), "NaN");
}

TEST(MetricsRegistry, CountersAndGaugesWithHelpAndType) {
  Registry r("test_collector_errors_total");
  Counter& c = r.counter("test_requests_total", "Requests.\nSecond line \\ here.");
  Gauge& g = r.gauge("test_queue_bytes", "Bytes queued.");
  c.inc();
  c.inc(4);
  g.set(10);
  g.add(-2.5);
  const std::string text = r.expose();
  EXPECT_TRUE(has_line(text, R"(# HELP test_requests_total Requests.\nSecond line \\ here.)"))
      << text;
  EXPECT_TRUE(has_line(text, "# TYPE test_requests_total counter")) << text;
  EXPECT_TRUE(has_line(text, "test_requests_total 5")) << text;
  EXPECT_TRUE(has_line(text, "# TYPE test_queue_bytes gauge")) << text;
  EXPECT_TRUE(has_line(text, "test_queue_bytes 7.5")) << text;
  EXPECT_TRUE(has_line(text, "test_collector_errors_total 0")) << text;
  EXPECT_EQ(text.back(), '\n');
}

TEST(MetricsRegistry, LabelValuesAreEscaped) {
  Registry r;
  auto& f = r.counter_family("test_total", "T.", {"path", "code"});
  f.with({"/a\"b\\c\nd", "200"}).inc(2);
  f.with({"/x", "404"}).inc();
  EXPECT_EQ(&f.with({"/x", "404"}), &f.with({"/x", "404"}));  // one child per values
  EXPECT_THROW(f.with({"/x"}), std::invalid_argument);
  const std::string text = r.expose();
  EXPECT_TRUE(has_line(text, R"(test_total{path="/a\"b\\c\nd",code="200"} 2)")) << text;
  EXPECT_TRUE(has_line(text, R"(test_total{path="/x",code="404"} 1)")) << text;
}

TEST(MetricsRegistry, HistogramBucketsAreCumulativeWithInfSumAndCount) {
  Registry r;
  auto& h = r.histogram_family("test_seconds", "Durations.", {"op"}, {0.1, 1, 10});
  for (double v : {0.05, 0.1, 0.5, 2.0, 20.0, 30.0})
    h.with({"put"}).observe(v);
  h.with({"put"}).observe(std::nan(""));  // ignored
  const std::string text = r.expose();
  EXPECT_TRUE(has_line(text, "# TYPE test_seconds histogram")) << text;
  // le is inclusive: 0.1 counts in the 0.1 bucket.
  EXPECT_TRUE(has_line(text, R"(test_seconds_bucket{op="put",le="0.1"} 2)")) << text;
  EXPECT_TRUE(has_line(text, R"(test_seconds_bucket{op="put",le="1"} 3)")) << text;
  EXPECT_TRUE(has_line(text, R"(test_seconds_bucket{op="put",le="10"} 4)")) << text;
  EXPECT_TRUE(has_line(text, R"(test_seconds_bucket{op="put",le="+Inf"} 6)")) << text;
  EXPECT_TRUE(has_line(text, R"(test_seconds_sum{op="put"} 52.65)")) << text;
  EXPECT_TRUE(has_line(text, R"(test_seconds_count{op="put"} 6)")) << text;
  // Buckets appear in increasing order of le.
  EXPECT_LT(text.find("le=\"0.1\""), text.find("le=\"1\""));
  EXPECT_LT(text.find("le=\"10\""), text.find("le=\"+Inf\""));
}

TEST(MetricsRegistry, UnlabelledHistogram) {
  Registry r;
  Histogram& h = r.histogram("test_latency_seconds", "L.", latency_buckets());
  h.observe(0.003);
  const std::string text = r.expose();
  EXPECT_TRUE(has_line(text, R"(test_latency_seconds_bucket{le="0.0025"} 0)")) << text;
  EXPECT_TRUE(has_line(text, R"(test_latency_seconds_bucket{le="0.005"} 1)")) << text;
  EXPECT_TRUE(has_line(text, "test_latency_seconds_count 1")) << text;
  EXPECT_TRUE(has_line(text, "test_latency_seconds_sum 0.003")) << text;
}

TEST(MetricsRegistry, RejectsBadRegistrations) {
  Registry r;
  r.counter("test_total", "T.");
  EXPECT_THROW(r.counter("test_total", "again"), std::invalid_argument);
  EXPECT_THROW(r.gauge("bad-name", "x"), std::invalid_argument);
  EXPECT_THROW(r.counter_family("test2_total", "x", {"__x"}), std::invalid_argument);
  EXPECT_THROW(r.histogram_family("test3", "x", {"le"}, {1}), std::invalid_argument);
  EXPECT_THROW(r.histogram("test4", "x", {1, 1}), std::invalid_argument);
  EXPECT_THROW(r.histogram("test5", "x", {2, 1}), std::invalid_argument);
  EXPECT_THROW(r.histogram("test6", "x", {std::numeric_limits<double>::infinity()}),
               std::invalid_argument);
  // A rejected histogram registered nothing: its name is still free.
  EXPECT_NO_THROW(r.histogram("test4", "x", {1, 2}));
}

TEST(MetricsRegistry, CollectorsAreReadAtEachScrapeAndGrouped) {
  Registry r("test_errors_total");
  int blocks = 3;
  r.add_collector([&](Collection& c) {
    c.gauge("test_blocks", "Blocks.", {}, blocks);
    c.gauge("test_slots", "Slots by state.", {{"state", "filled"}}, 2);
  });
  r.add_collector([&](Collection& c) {
    // Same family from a second collector: one HELP/TYPE, samples together.
    c.gauge("test_slots", "Slots by state.", {{"state", "proving"}}, 1);
  });
  std::string text = r.expose();
  EXPECT_TRUE(has_line(text, "test_blocks 3")) << text;
  blocks = 5;
  text = r.expose();
  EXPECT_TRUE(has_line(text, "test_blocks 5")) << text;
  EXPECT_TRUE(has_line(text, R"(test_slots{state="filled"} 2)")) << text;
  EXPECT_TRUE(has_line(text, R"(test_slots{state="proving"} 1)")) << text;
  const size_t first = text.find("# TYPE test_slots gauge");
  ASSERT_NE(first, std::string::npos);
  EXPECT_EQ(text.find("# TYPE test_slots gauge", first + 1), std::string::npos) << text;
  EXPECT_TRUE(has_line(text, "test_errors_total 0")) << text;
}

TEST(MetricsRegistry, AFailingCollectorAddsNothingAndIsCounted) {
  Registry r("test_errors_total");
  r.counter("test_registered_total", "R.");
  r.add_collector([](Collection& c) {
    c.gauge("test_partial", "P.", {}, 1);
    throw std::runtime_error("database busy");
  });
  r.add_collector([](Collection& c) { c.gauge("test_registered_total", "clash", {}, 1); });
  r.add_collector([](Collection& c) { c.gauge("bad name", "x", {}, 1); });
  r.add_collector([](Collection& c) { c.gauge("test_ok", "OK.", {}, 7); });
  const std::string text = r.expose();
  EXPECT_EQ(text.find("test_partial"), std::string::npos) << text;
  EXPECT_EQ(text.find("clash"), std::string::npos) << text;
  EXPECT_TRUE(has_line(text, "test_ok 7")) << text;
  EXPECT_TRUE(has_line(text, "test_errors_total 3")) << text;
}

TEST(MetricsRegistry, ConcurrentUpdatesAreAllCounted) {
  Registry r;
  Counter& c = r.counter("test_total", "T.");
  auto& h = r.histogram_family("test_seconds", "S.", {"k"}, {1});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10000; ++i) {
        c.inc();
        h.with({t % 2 ? "a" : "b"}).observe(0.5);
      }
    });
  for (int i = 0; i < 50; ++i)
    r.expose();  // scrapes while they count
  for (auto& t : threads)
    t.join();
  const std::string text = r.expose();
  EXPECT_TRUE(has_line(text, "test_total 40000")) << text;
  EXPECT_TRUE(has_line(text, R"(test_seconds_count{k="a"} 20000)")) << text;
  EXPECT_TRUE(has_line(text, R"(test_seconds_sum{k="b"} 10000)")) << text;
}
