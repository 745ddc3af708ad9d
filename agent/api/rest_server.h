#pragma once
// The node's REST API (spec node.md §10.1), base path /api/codex/v1, on
// cpp-httplib. Handlers run on the server's own thread pool; heavy work is
// streamed, never buffered whole (upload and download hold a block at a time).
#include <cstdint>
#include <memory>
#include <string>

#include "agent/api/api_context.h"

namespace codex::agent {

class RestServer {
 public:
  // The context's references must outlive the server.
  explicit RestServer(ApiContext ctx);
  ~RestServer();  // stops and joins
  RestServer(const RestServer&) = delete;
  RestServer& operator=(const RestServer&) = delete;

  // Binds host:port (port 0 picks a free one) and returns the port. Throws
  // std::runtime_error when the address cannot be bound.
  uint16_t bind(const std::string& host, uint16_t port);
  // Serves on a background thread until stop(). Requires bind().
  void start();
  // Stops accepting, finishes in-flight requests, joins. Idempotent.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace codex::agent
