#include "agent/api/metrics_server.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <thread>

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
  std::thread thread;
  std::atomic<bool> listening_done{false};
  bool bound = false;
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
  errno = 0;
  int p = port == 0 ? impl_->server.bind_to_any_port(host)
                    : (impl_->server.bind_to_port(host, port) ? port : -1);
  if (p <= 0) {
    int err = errno;
    std::string where = host + ":" + std::to_string(port);
    if (err == EADDRINUSE)
      throw std::runtime_error("metrics: cannot listen on " + where +
                               ": the address is in use (another node or program has the port; "
                               "choose another with --metrics-port)");
    throw std::runtime_error("metrics: cannot listen on " + where +
                             (err ? std::string(": ") + std::strerror(err) : std::string()));
  }
  impl_->bound = true;
  return static_cast<uint16_t>(p);
}

void MetricsServer::start() {
  if (!impl_->bound) throw std::logic_error("metrics: start() before bind()");
  impl_->thread = std::thread([this] {
    impl_->server.listen_after_bind();
    impl_->listening_done = true;
  });
  // As RestServer::start: httplib's stop() does nothing before the loop runs.
  while (!impl_->server.is_running() && !impl_->listening_done)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

void MetricsServer::stop() {
  if (!impl_) return;
  impl_->server.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

}  // namespace codex::agent
