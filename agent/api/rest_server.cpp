#include "agent/api/rest_server.h"

#include "agent/api/protected_fetches.h"

#include <httplib.h>
#include <sodium.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "agent/api/allowed_methods.h"
#include "agent/api/http_server.h"
#include "agent/api/mime_types.h"
#include "agent/api/routes.h"
#include "base/metrics/registry.h"
#include "exchange/error.h"

namespace codex::agent {
namespace {

// Constant-time, so that the answer's timing says nothing about the token;
// both sides are hashed first so that not even its length shows.
bool token_matches(const std::string& header, const std::string& token) {
  const std::string expected = "Bearer " + token;
  unsigned char a[crypto_generichash_BYTES], b[crypto_generichash_BYTES];
  crypto_generichash(a, sizeof a, reinterpret_cast<const unsigned char*>(header.data()),
                     header.size(), nullptr, 0);
  crypto_generichash(b, sizeof b, reinterpret_cast<const unsigned char*>(expected.data()),
                     expected.size(), nullptr, 0);
  return sodium_memcmp(a, b, sizeof a) == 0;
}

// Answers a request refused before its body was read, and closes the
// connection (the unread body must not be parsed as the next request).
void refuse(httplib::Response& res, int status, const std::string& message) {
  reply_text(res, status, message);
  res.set_header("Connection", "close");
  HttpServer::close_after_response();
}

// Label values from a fixed set: whatever a client sends as its method must
// not grow the metrics without bound.
std::string method_label(const std::string& method) {
  for (const char* m : {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
    if (method == m) return m;
  return "other";
}

// Requests by method and status, and their latency from the first byte of
// the request to the last of the answer (a download's whole stream).
void count_requests(HttpServer& server, base::metrics::Registry& registry) {
  auto& requests = registry.counter_family("codex_api_requests_total",
                                           "REST API requests answered, by method and status code.",
                                           {"method", "status"});
  auto& seconds = registry.histogram_family(
      "codex_api_request_duration_seconds",
      "REST API requests: time from the request's first byte to the answer's last, by method.",
      {"method"}, base::metrics::latency_buckets());
  server.set_logger(
      [&requests, &seconds](const httplib::Request& req, const httplib::Response& res) {
        const std::string method = method_label(req.method);
        requests.with({method, std::to_string(res.status)}).inc();
        const std::chrono::duration<double> took =
            std::chrono::steady_clock::now() - HttpServer::request_started();
        seconds.with({method}).observe(took.count());
      });
}

}  // namespace

struct RestServer::Impl {
  explicit Impl(ApiContext c) : ctx(std::move(c)) {
    if (ctx.network) {
      protected_fetches = std::make_unique<ProtectedFetches>(ctx.repo, *ctx.network);
      ctx.protected_fetches = protected_fetches.get();
    }
  }
  ApiContext ctx;
  // Joined when the server goes, before the node's network and repo.
  std::unique_ptr<ProtectedFetches> protected_fetches;
  HttpServer server;
  AllowedMethods allowed;
};

bool wants_text(const httplib::Request& req) {
  return req.get_header_value("Accept").find("text/plain") != std::string::npos;
}

void reply_text(httplib::Response& res, int status, const std::string& body) {
  res.status = status;
  res.set_content(body, "text/plain");
}

void reply_json(httplib::Response& res, const nlohmann::json& body) {
  res.status = 200;
  res.set_content(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                  "application/json");
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
  if (sodium_init() < 0) throw std::runtime_error("api: libsodium failed to initialise");
  auto& s = impl_->server;
  // The reference uses 64 KiB buffers and no body size limit; uploads stream.
  s.set_payload_max_length(std::numeric_limits<size_t>::max());
  s.set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
        try {
          std::rethrow_exception(ep);
        } catch (...) {
          reply_error(res);
        }
      });
  // Checks that apply to every request, before its body is read.
  s.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    using R = httplib::Server::HandlerResponse;
    const ApiContext& c = impl_->ctx;
    // CORS preflights carry no credentials.
    bool preflight = req.method == "OPTIONS" && c.cors_origin;
    if (c.api_token && !preflight &&
        !token_matches(req.get_header_value("Authorization"), *c.api_token)) {
      refuse(res, 401, "A valid 'Authorization: Bearer <token>' header is required.");
      res.set_header("WWW-Authenticate", "Bearer");
      return R::Handled;
    }
    // Bodies are stored byte for byte as sent: never decoded (httplib would
    // silently gunzip), so a Content-Encoding is refused.
    std::string encoding = req.get_header_value("Content-Encoding");
    if (!encoding.empty() && encoding != "identity") {
      refuse(res, 415,
             "Content-Encoding '" + encoding + "' is not supported; send the bytes as they are.");
      return R::Handled;
    }
    if (normalise_mime_type(req.get_header_value("Content-Type")).rfind("multipart/", 0) == 0) {
      refuse(res, 415, "Multipart bodies are not supported; send the file's bytes as the body.");
      return R::Handled;
    }
    return R::Unhandled;
  });
  // httplib answers a known path with an unhandled method 404 (400 for some
  // methods), with an empty body: say 405 and what is allowed instead.
  s.set_error_handler(httplib::Server::HandlerWithResponse(
      [this](const httplib::Request& req, httplib::Response& res) {
        using R = httplib::Server::HandlerResponse;
        if (!res.body.empty() || (res.status != 404 && res.status != 400)) return R::Unhandled;
        std::string allow = impl_->allowed.allow_header(req.path);
        // (A request with malformed headers may still have a path and a method
        // the path takes: that is a 400, not a 405.)
        std::string method = req.method == "HEAD" ? "GET" : req.method;
        bool taken = (", " + allow + ", ").find(", " + method + ", ") != std::string::npos;
        if (!allow.empty() && !taken) {
          res.set_header("Allow", allow);
          reply_text(res, 405, "Method " + req.method + " is not allowed here; allowed: " + allow);
        } else if (res.status == 404) {
          reply_text(res, 404, "Not found.");
        } else {
          reply_text(res, 400, "Malformed request.");
        }
        return R::Handled;
      }));
  if (impl_->ctx.cors_origin) {
    std::string origin = *impl_->ctx.cors_origin;
    s.set_post_routing_handler([origin](const httplib::Request&, httplib::Response& res) {
      res.set_header("Access-Control-Allow-Origin", origin);
      res.set_header("Access-Control-Allow-Methods", "GET, POST, PATCH, DELETE, OPTIONS");
      res.set_header("Access-Control-Allow-Headers",
                     "Content-Type, Content-Disposition, Authorization");
    });
  }
  if (impl_->ctx.metrics) count_requests(s, *impl_->ctx.metrics);
  register_data_routes(s, impl_->ctx, impl_->allowed);
  register_node_routes(s, impl_->ctx, impl_->allowed);
  register_net_routes(s, impl_->ctx, impl_->allowed);
  register_sales_routes(s, impl_->ctx, impl_->allowed);
  register_storage_routes(s, impl_->ctx, impl_->allowed);
  register_validation_routes(s, impl_->ctx, impl_->allowed);
}

RestServer::~RestServer() {
  stop();
}

uint16_t RestServer::bind(const std::string& host, uint16_t port) {
  return impl_->server.bind_port(host, port, "api", "--api-port");
}

void RestServer::start() {
  impl_->server.serve_in_background();
}

void RestServer::stop() {
  if (!impl_) return;
  impl_->server.stop_serving();
  // The node stops its network right after: no download may still use it.
  if (impl_->protected_fetches) impl_->protected_fetches->stop();
}

}  // namespace codex::agent
