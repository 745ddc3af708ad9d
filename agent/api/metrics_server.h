#pragma once
// Prometheus scrapes (spec node.md §10.2 --metrics): GET /metrics answers the
// registry's figures in the text format 0.0.4, on a listener of its own
// (--metrics-address, --metrics-port) as in the reference, so that the REST
// API's token and CORS rules do not apply and the API can stay private while
// metrics are scraped. Other paths are 404; other methods on /metrics 405.
#include <cstdint>
#include <memory>
#include <string>

namespace codex::base::metrics {
class Registry;
}

namespace codex::agent {

class MetricsServer {
 public:
  // `registry` must outlive the server.
  explicit MetricsServer(const base::metrics::Registry& registry);
  ~MetricsServer();  // stops and joins
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  // Binds host:port (port 0 picks a free one) and returns the port. Throws
  // std::runtime_error when the address cannot be bound (e.g. in use).
  uint16_t bind(const std::string& host, uint16_t port);
  // Serves on a background thread until stop(). Requires bind().
  void start();
  // Stops accepting, finishes in-flight scrapes, joins. Idempotent.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace codex::agent
