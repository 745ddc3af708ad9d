#include "agent/api/metrics_server.h"

#include <spdlog/spdlog.h>

#include <stdexcept>

#include "agent/api/http_server.h"
#include "base/metrics/registry.h"
#include "base/metrics/text_format.h"

namespace codex::agent {

struct MetricsServer::Impl {
  explicit Impl(const base::metrics::Registry& r) : registry(r), server(limits()) {}
  static HttpLimits limits() {
    HttpLimits l;
    l.threads = 4;  // a scraper or two, not the public
    return l;
  }
  const base::metrics::Registry& registry;
  HttpServer server;
};

MetricsServer::MetricsServer(const base::metrics::Registry& registry)
    : impl_(std::make_unique<Impl>(registry)) {
  auto& s = impl_->server;
  s.set_payload_max_length(1 << 20);  // scrapes have no body
  s.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    res.status = 200;
    res.set_content(impl_->registry.expose(), std::string(base::metrics::kTextContentType));
  });
  s.set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
        try {
          std::rethrow_exception(ep);
        } catch (const std::exception& e) {
          spdlog::error("metrics: {}", e.what());
          res.status = 500;
          res.set_content(e.what(), "text/plain");
        }
      });
  // httplib answers an unknown path or method 404 (400 for some methods) with
  // an empty body; say what happened.
  s.set_error_handler(
      httplib::Server::HandlerWithResponse([](const httplib::Request& req, httplib::Response& res) {
        using R = httplib::Server::HandlerResponse;
        if (!res.body.empty() || (res.status != 404 && res.status != 400)) return R::Unhandled;
        if (req.path == "/metrics" && req.method != "GET" && req.method != "HEAD") {
          res.status = 405;
          res.set_header("Allow", "GET, HEAD");
          res.set_content("Method " + req.method + " is not allowed here; allowed: GET, HEAD",
                          "text/plain");
        } else if (res.status == 404) {
          res.set_content("Not found; metrics are at /metrics.", "text/plain");
        } else {
          res.set_content("Malformed request.", "text/plain");
        }
        return R::Handled;
      }));
}

MetricsServer::~MetricsServer() {
  stop();
}

uint16_t MetricsServer::bind(const std::string& host, uint16_t port) {
  return impl_->server.bind_port(host, port, "metrics", "--metrics-port");
}

void MetricsServer::start() {
  impl_->server.serve_in_background();
}

void MetricsServer::stop() {
  if (impl_) impl_->server.stop_serving();
}

}  // namespace codex::agent
