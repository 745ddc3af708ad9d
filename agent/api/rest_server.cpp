#include "agent/api/rest_server.h"

#include <httplib.h>
#include <spdlog/spdlog.h>

#include <stdexcept>
#include <thread>

#include "agent/api/routes.h"
#include "exchange/error.h"

namespace codex::agent {

struct RestServer::Impl {
  explicit Impl(ApiContext c) : ctx(std::move(c)) {}
  ApiContext ctx;
  httplib::Server server;
  std::thread thread;
  bool bound = false;
};

void reply_text(httplib::Response& res, int status, const std::string& body) {
  res.status = status;
  res.set_content(body, "text/plain");
}

void reply_error(httplib::Response& res) {
  try {
    throw;
  } catch (const FormatError& e) {
    reply_text(res, 400, e.what());
  } catch (const NotFoundError& e) {
    reply_text(res, 404, e.what());
  } catch (const QuotaError& e) {
    reply_text(res, 422, e.what());
  } catch (const std::exception& e) {
    spdlog::error("api: {}", e.what());
    reply_text(res, 500, e.what());
  }
}

RestServer::RestServer(ApiContext ctx) : impl_(std::make_unique<Impl>(std::move(ctx))) {
  auto& s = impl_->server;
  // The reference uses 64 KiB buffers and no body size limit; uploads stream.
  s.set_payload_max_length(std::numeric_limits<size_t>::max());
  s.set_read_timeout(60, 0);
  s.set_write_timeout(60, 0);
  s.set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
        try {
          std::rethrow_exception(ep);
        } catch (...) {
          reply_error(res);
        }
      });
  if (impl_->ctx.cors_origin) {
    std::string origin = *impl_->ctx.cors_origin;
    s.set_post_routing_handler([origin](const httplib::Request&, httplib::Response& res) {
      res.set_header("Access-Control-Allow-Origin", origin);
      res.set_header("Access-Control-Allow-Methods", "GET, POST, PATCH, DELETE, OPTIONS");
      res.set_header("Access-Control-Allow-Headers", "Content-Type, Content-Disposition");
    });
  }
  register_data_routes(s, impl_->ctx);
  register_node_routes(s, impl_->ctx);
}

RestServer::~RestServer() {
  stop();
}

uint16_t RestServer::bind(const std::string& host, uint16_t port) {
  int p = port == 0 ? impl_->server.bind_to_any_port(host)
                    : (impl_->server.bind_to_port(host, port) ? port : -1);
  if (p <= 0) throw std::runtime_error("api: cannot bind " + host + ":" + std::to_string(port));
  impl_->bound = true;
  return static_cast<uint16_t>(p);
}

void RestServer::start() {
  if (!impl_->bound) throw std::logic_error("api: start() before bind()");
  impl_->thread = std::thread([this] { impl_->server.listen_after_bind(); });
}

void RestServer::stop() {
  if (!impl_) return;
  impl_->server.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

}  // namespace codex::agent
