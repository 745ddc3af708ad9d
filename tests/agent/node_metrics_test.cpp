// Prometheus metrics (--metrics) of a real `codex-agent node` process: the
// scrape is parsed by the reference client's own parser (Debian's
// python3-prometheus-client, tests/support/prometheus_parse.py), not ours,
// and its figures are checked against what the node did and what its REST
// API says.
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "tests/agent/support/agent_node.h"
#include "tests/agent/support/chain_node.h"
#include "tests/agent/support/market_env.h"
#include "tests/support/require_tool.h"
#include "tests/support/temp_dir.h"

using codex::test::AgentNode;

namespace {

// Debian's package installs for the system's python, not a pyenv or venv one.
const char* const kPython = "/usr/bin/python3";

bool prometheus_client_available() {
  const std::string cmd =
      std::string(kPython) + " -c 'import prometheus_client.parser' > /dev/null 2>&1";
  return std::system(cmd.c_str()) == 0;
}

std::filesystem::path temp_dir(const std::string& name) {
  auto d = std::filesystem::path(::testing::TempDir()) /
           ("codex-metrics-" + name + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(d);
  std::filesystem::create_directories(d);
  return d;
}

// One parsed sample: its family's type and the value, by "name{labels json}".
struct Scrape {
  std::map<std::string, std::string> types;  // family name → type
  std::map<std::string, double> samples;     // sample name + labels JSON → value
  double at(const std::string& name, const std::string& labels = "{}") const {
    auto it = samples.find(name + labels);
    if (it == samples.end()) throw std::out_of_range("no sample " + name + labels);
    return it->second;
  }
  bool has(const std::string& name, const std::string& labels = "{}") const {
    return samples.count(name + labels) > 0;
  }
};

// Runs the independent parser on `text`; fails the test when it refuses it.
Scrape parse(const std::string& text, const std::filesystem::path& dir) {
  const auto in = dir / "scrape.txt";
  std::ofstream(in, std::ios::binary) << text;
  const std::string cmd = std::string(kPython) + " " + CODEX_SOURCE_DIR +
                          "/tests/support/prometheus_parse.py < " + in.string() + " 2>&1";
  std::FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) throw std::runtime_error("popen failed");
  std::string out;
  char buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;)
    out.append(buf, n);
  const int rc = ::pclose(p);
  EXPECT_EQ(rc, 0) << "the Prometheus parser refused the scrape: " << out << "\n" << text;
  Scrape s;
  std::istringstream lines(out);
  std::string family, type, name, labels, value;
  while (lines >> family >> type >> name >> labels >> value) {
    s.types[family] = type;
    s.samples[name + labels] = std::stod(value);
  }
  return s;
}

httplib::Client metrics_client(int port) {
  httplib::Client c("127.0.0.1", port);
  c.set_read_timeout(30, 0);
  return c;
}

// A scrape, parsed; again (up to 5 s) until `ready` holds: a request is
// counted after its answer is written, so the client may see the answer first.
Scrape scrape_until(int port, const std::filesystem::path& dir,
                    const std::function<bool(const Scrape&)>& ready) {
  auto c = metrics_client(port);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  for (;;) {
    auto res = c.Get("/metrics");
    if (!res) throw std::runtime_error("no answer from /metrics");
    EXPECT_EQ(res->status, 200);
    EXPECT_EQ(res->get_header_value("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
    Scrape s = parse(res->body, dir);
    if (ready(s) || std::chrono::steady_clock::now() > deadline) return s;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

}  // namespace

TEST(NodeMetrics, ScrapeParsesAndCountsStoreAndRequests) {
  CODEX_REQUIRE_TOOL(prometheus_client_available(),
                     "python3-prometheus-client (import prometheus_client from /usr/bin/python3)");
  auto dir = temp_dir("scrape");
  const int mport = codex::test::free_port();
  AgentNode node(dir / "node",
                 {"--metrics", "--metrics-port", std::to_string(mport), "--storage-quota", "1GiB"});
  // 300,000 bytes: five 64 KiB blocks, plus the manifest and tree's blocks.
  {
    std::ofstream f(dir / "in.bin", std::ios::binary);
    for (int i = 0; i < 300000; ++i)
      f.put(char(i * 7 + i / 251));
  }
  const std::string cid = node.client().upload(dir / "in.bin");
  httplib::Client api("127.0.0.1", node.port());
  ASSERT_EQ(api.Get("/api/codex/v1/no-such-path")->status, 404);
  ASSERT_EQ(api.Get("/api/codex/v1/no-such-path")->status, 404);
  auto space = nlohmann::json::parse(node.client().get("/space"));
  // A streamed answer (the download) is counted once it has been sent whole.
  auto dl = api.Get(("/api/codex/v1/data/" + cid).c_str());
  ASSERT_TRUE(dl);
  ASSERT_EQ(dl->status, 200);
  ASSERT_EQ(dl->body.size(), 300000u);

  const std::string post_ok = R"({"method":"POST","status":"200"})";
  const std::string get_404 = R"({"method":"GET","status":"404"})";
  Scrape s = scrape_until(mport, dir, [&](const Scrape& x) {
    return x.has("codex_api_requests_total", post_ok) &&
           x.has("codex_api_requests_total", get_404) &&
           x.at("codex_api_requests_total", get_404) >= 2;
  });

  // The store, as /space tells it.
  EXPECT_EQ(s.types["codex_store_blocks"], "gauge");
  EXPECT_GE(s.at("codex_store_blocks"), 5);
  EXPECT_EQ(s.at("codex_store_blocks"), space["totalBlocks"].get<double>());
  EXPECT_GE(s.at("codex_store_bytes"), 300000);
  EXPECT_EQ(s.at("codex_store_bytes"), space["quotaUsedBytes"].get<double>());
  EXPECT_EQ(s.at("codex_store_quota_bytes"), double(1ull << 30));
  EXPECT_EQ(s.at("codex_store_reserved_bytes"), 0);

  // REST requests by method and status: the upload, the two 404s.
  EXPECT_EQ(s.types["codex_api_requests"], "counter");  // the parser drops _total
  EXPECT_EQ(s.at("codex_api_requests_total", post_ok), 1);
  EXPECT_EQ(s.at("codex_api_requests_total", get_404), 2);
  // Latency histogram of POSTs: cumulative buckets ending in +Inf == _count.
  EXPECT_EQ(s.types["codex_api_request_duration_seconds"], "histogram");
  const double posts = s.at("codex_api_request_duration_seconds_count", R"({"method":"POST"})");
  EXPECT_GE(posts, 1);
  EXPECT_EQ(s.at("codex_api_request_duration_seconds_bucket", R"({"le":"+Inf","method":"POST"})"),
            posts);
  double last = 0;
  for (const char* le : {"0.001", "0.01", "0.1", "1", "10", "60", "+Inf"}) {
    const double b = s.at("codex_api_request_duration_seconds_bucket",
                          std::string(R"({"le":")") + le + R"(","method":"POST"})");
    EXPECT_GE(b, last) << le;
    last = b;
  }
  EXPECT_GT(s.at("codex_api_request_duration_seconds_sum", R"({"method":"POST"})"), 0);

  // The exchange and the network are there (nothing was transferred).
  EXPECT_EQ(s.at("codex_exchange_bytes_sent_total"), 0);
  EXPECT_EQ(s.at("codex_exchange_blocks_received_total"), 0);
  EXPECT_EQ(s.at("codex_net_peers"), 0);
  // Without --persistence no chain or role figures; no collector failed.
  EXPECT_FALSE(s.types.count("codex_chain_transactions_mined"));
  EXPECT_FALSE(s.types.count("codex_sales_slots"));
  EXPECT_EQ(s.at("codex_metrics_collector_errors_total"), 0);

  // One more download: exactly one more GET 200, counted after its stream ended.
  const std::string get_ok = R"({"method":"GET","status":"200"})";
  const double gets = s.at("codex_api_requests_total", get_ok);
  ASSERT_EQ(api.Get(("/api/codex/v1/data/" + cid).c_str())->body.size(), 300000u);
  Scrape again = scrape_until(
      mport, dir, [&](const Scrape& x) { return x.at("codex_api_requests_total", get_ok) > gets; });
  EXPECT_EQ(again.at("codex_api_requests_total", get_ok), gets + 1);
  EXPECT_EQ(again.at("codex_api_request_duration_seconds_count", R"({"method":"GET"})"),
            s.at("codex_api_request_duration_seconds_count", R"({"method":"GET"})") + 1);

  // Deleting the dataset shows at the next scrape.
  ASSERT_EQ(api.Delete(("/api/codex/v1/data/" + cid).c_str())->status, 204);
  Scrape after = scrape_until(mport, dir, [&](const Scrape& x) {
    return x.at("codex_store_blocks") < s.at("codex_store_blocks");
  });
  EXPECT_LT(after.at("codex_store_blocks"), s.at("codex_store_blocks"));
  node.stop();
  std::filesystem::remove_all(dir);
}

TEST(NodeMetrics, AClientOnChainShowsItsPurchaseTransactionsAndRpc) {
  CODEX_REQUIRE_TOOL(prometheus_client_available(),
                     "python3-prometheus-client (import prometheus_client from /usr/bin/python3)");
  CODEX_REQUIRE_TOOL(codex::testing::executable(codex::test::anvil_binary()),
                     "anvil at " << codex::test::anvil_binary());
  codex::test::MarketEnv env;
  codex::testing::TempDir tmp("metrics_chain");
  const int mport = codex::test::free_port();
  auto args = codex::test::chain_args(env, tmp.path(), 1);
  args.insert(args.end(), {"--metrics", "--metrics-port", std::to_string(mport)});
  AgentNode node(tmp.path() / "node", args);
  httplib::Client api("127.0.0.1", node.port());
  std::string data(5 * 65536 - 1000, '\0');
  for (size_t i = 0; i < data.size(); ++i)
    data[i] = char(i * 131 + i / 7);
  auto up = api.Post("/api/codex/v1/data", data, "application/octet-stream");
  ASSERT_TRUE(up && up->status == 200);
  auto r = api.Post("/api/codex/v1/storage/request/" + up->body,
                    R"({"duration": 3600, "proofProbability": "2", "pricePerBytePerSecond": "1",
                        "collateralPerByte": "1", "expiry": 600, "nodes": 3, "tolerance": 1})",
                    "application/json");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;

  const std::string submitted = R"({"state":"submitted"})";
  Scrape s = scrape_until(mport, tmp.path(), [&](const Scrape& x) {
    return x.has("codex_purchases", submitted) && x.has("codex_chain_processed_block");
  });
  EXPECT_EQ(s.types["codex_purchases"], "gauge");
  EXPECT_EQ(s.at("codex_purchases", submitted), 1);
  // The token approval and requestStorage, from the journal; their gas.
  EXPECT_GE(s.at("codex_chain_transactions_mined_total"), 1);
  EXPECT_EQ(s.at("codex_chain_transactions_sent_total"),
            s.at("codex_chain_transactions_mined_total"));
  EXPECT_EQ(s.at("codex_chain_transactions_rejected_total"), 0);
  EXPECT_EQ(s.at("codex_chain_transactions_pending"), 0);
  EXPECT_GT(s.at("codex_chain_gas_used_total"), 21000);
  EXPECT_GT(s.at("codex_chain_rpc_requests_total"), 5);
  EXPECT_EQ(s.types["codex_chain_rpc_errors"], "counter");
  EXPECT_EQ(s.at("codex_chain_rpc_errors_total", R"({"kind":"transport"})"), 0);
  const double head = double(env.eth().block_number());
  EXPECT_LE(s.at("codex_chain_processed_block"), head);
  EXPECT_GT(s.at("codex_chain_processed_block"), 0);
  // A client only: no sales yet, no proofs; no collector failed.
  EXPECT_FALSE(s.has("codex_sales_slots", R"({"state":"SaleProving"})"));
  EXPECT_EQ(s.at("codex_sales_proofs_required_total"), 0);
  EXPECT_EQ(s.at("codex_sales_proofs_submitted_total"), 0);
  EXPECT_FALSE(s.types.count("codex_sales_proving_seconds")) << "only with --prover";
  EXPECT_EQ(s.at("codex_metrics_collector_errors_total"), 0);
  node.stop();
}

TEST(NodeMetrics, OnlyGetMetricsIsServed) {
  auto dir = temp_dir("paths");
  const int mport = codex::test::free_port();
  AgentNode node(dir / "node", {"--metrics", "--metrics-port", std::to_string(mport)});
  auto c = metrics_client(mport);
  auto res = c.Get("/metrics");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_NE(res->body.find("# TYPE codex_store_blocks gauge\n"), std::string::npos) << res->body;
  EXPECT_EQ(c.Get("/")->status, 404);
  EXPECT_EQ(c.Get("/metrics/x")->status, 404);
  EXPECT_EQ(c.Get("/api/codex/v1/space")->status, 404);  // the API is not served here
  auto post = c.Post("/metrics", "x", "text/plain");
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 405);
  EXPECT_EQ(post->get_header_value("Allow"), "GET, HEAD");
  EXPECT_EQ(c.Delete("/metrics")->status, 405);
  // Without --metrics nothing listens there.
  node.stop();
  AgentNode plain(dir / "node");
  EXPECT_FALSE(metrics_client(mport).Get("/metrics"));
  plain.stop();
  std::filesystem::remove_all(dir);
}

TEST(NodeMetrics, ATakenMetricsPortStopsTheStart) {
  auto dir = temp_dir("taken");
  const int mport = codex::test::free_port();
  AgentNode first(dir / "a", {"--metrics", "--metrics-port", std::to_string(mport)});
  const std::string cmd = codex::test::agent_binary() + " node -d " + (dir / "b").string() +
                          " -p 0 --listen-addrs /ip4/127.0.0.1/tcp/0 --metrics --metrics-port " +
                          std::to_string(mport) + " > " + (dir / "out").string() + " 2>&1";
  EXPECT_NE(std::system(cmd.c_str()), 0);
  std::ifstream out(dir / "out");
  const std::string msg((std::istreambuf_iterator<char>(out)), std::istreambuf_iterator<char>());
  EXPECT_NE(msg.find("metrics: cannot listen on 127.0.0.1:" + std::to_string(mport)),
            std::string::npos)
      << msg;
  EXPECT_NE(msg.find("--metrics-port"), std::string::npos) << msg;
  first.stop();
  std::filesystem::remove_all(dir);
}

TEST(NodeMetrics, OptionsFromTheCommandLineEnvironmentAndConfigFile) {
  auto dir = temp_dir("options");
  // From a config file: address and port.
  const int p1 = codex::test::free_port();
  std::ofstream(dir / "node.toml") << "metrics = true\nmetrics-address = \"127.0.0.1\"\n"
                                   << "metrics-port = " << p1 << "\n";
  AgentNode a(dir / "a", {"--config-file", (dir / "node.toml").string()});
  EXPECT_EQ(metrics_client(p1).Get("/metrics")->status, 200);
  a.stop();
  // From the environment (CODEX_METRICS, CODEX_METRICS_PORT).
  const int p2 = codex::test::free_port();
  ::setenv("CODEX_METRICS", "true", 1);
  ::setenv("CODEX_METRICS_PORT", std::to_string(p2).c_str(), 1);
  AgentNode b(dir / "b");
  ::unsetenv("CODEX_METRICS");
  ::unsetenv("CODEX_METRICS_PORT");
  EXPECT_EQ(metrics_client(p2).Get("/metrics")->status, 200);
  b.stop();
  // Bad values are refused before the node starts.
  for (const std::string bad :
       {"--metrics-port 70000", "--metrics-port x", "--metrics-address ''"}) {
    const std::string cmd = codex::test::agent_binary() + " node -d " + (dir / "c").string() +
                            " --metrics " + bad + " > /dev/null 2>&1";
    EXPECT_NE(std::system(cmd.c_str()), 0) << bad;
  }
  std::filesystem::remove_all(dir);
}
