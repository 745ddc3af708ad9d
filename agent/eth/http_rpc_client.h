// JSON-RPC over HTTP with libcurl: timeouts, bounded retries with exponential
// backoff for transport failures and garbage replies, and batch requests.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include "agent/eth/rpc_client.h"
#include "agent/eth/rpc_error.h"

namespace codex::eth {

struct HttpRpcOptions {
  std::string url;                           // e.g. "http://127.0.0.1:8545"
  std::chrono::milliseconds timeout{10000};  // whole request
  std::chrono::milliseconds connect_timeout{3000};
  int max_attempts = 4;                            // 1 = no retry
  std::chrono::milliseconds backoff_initial{100};  // doubled per retry
  std::chrono::milliseconds backoff_max{2000};
  size_t max_reply_bytes = 256u << 20;  // larger replies are refused
};

// Thread-safe: calls are serialised on one reused connection.
// Retries resend the identical request, so only idempotent methods should be
// sent through it; eth_sendRawTransaction is idempotent for a given raw payload.
class HttpRpcClient final : public RpcClient {
 public:
  // Throws std::runtime_error if libcurl cannot be initialised.
  explicit HttpRpcClient(HttpRpcOptions options);
  ~HttpRpcClient() override;
  HttpRpcClient(const HttpRpcClient&) = delete;
  HttpRpcClient& operator=(const HttpRpcClient&) = delete;

  nlohmann::json call(std::string_view method, const nlohmann::json& params) override;
  std::vector<nlohmann::json> batch(
      const std::vector<std::pair<std::string, nlohmann::json>>& calls) override;

  // Counters for observability and tests; reading them never waits for a
  // call in progress.
  uint64_t attempts() const;
  uint64_t retries() const;
  // Calls that failed (after their retries), by the kind of their error.
  uint64_t errors(RpcErrorKind kind) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace codex::eth
