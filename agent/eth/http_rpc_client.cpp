#include "agent/eth/http_rpc_client.h"

#include <curl/curl.h>

#include <array>
#include <atomic>
#include <nlohmann/json.hpp>
#include <thread>

#include "agent/eth/rpc_error.h"

namespace codex::eth {

using nlohmann::json;

struct HttpRpcClient::Impl {
  HttpRpcOptions opt;
  std::mutex mu;
  CURL* curl = nullptr;
  curl_slist* headers = nullptr;
  uint64_t next_id = 1;
  // Atomic, so that reading them (a metrics scrape) never waits for a call
  // in progress, which holds `mu` through its retries.
  std::atomic<uint64_t> attempts{0}, retries{0};
  std::array<std::atomic<uint64_t>, 4> errors{};  // by RpcErrorKind

  struct Reply {
    std::string body;
    size_t limit = 0;
    bool too_big = false;
  };

  static size_t on_data(char* p, size_t size, size_t n, void* user) {
    auto* r = static_cast<Reply*>(user);
    if (r->body.size() + size * n > r->limit) {
      r->too_big = true;
      return 0;  // aborts the transfer
    }
    r->body.append(p, size * n);
    return size * n;
  }

  // One HTTP POST. Throws RpcError(Transport) on failure; returns the body of a 2xx reply.
  std::string post_once(const std::string& label, const std::string& body) {
    Reply reply;
    reply.limit = opt.max_reply_bytes;
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &reply);
    CURLcode rc = curl_easy_perform(curl);
    ++attempts;
    if (reply.too_big)
      throw RpcError(RpcErrorKind::Malformed, label, "reply larger than the configured limit");
    if (rc != CURLE_OK) throw RpcError(RpcErrorKind::Transport, label, curl_easy_strerror(rc));
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    if (status == 429 || status >= 500)
      throw RpcError(RpcErrorKind::Transport, label, "HTTP status " + std::to_string(status));
    if (status < 200 || status >= 300) {
      // Some nodes answer JSON-RPC errors with 4xx and a JSON body: let the caller parse it.
      if (reply.body.empty() || reply.body[0] != '{')
        throw RpcError(RpcErrorKind::Node, label, "HTTP status " + std::to_string(status));
    }
    return std::move(reply.body);
  }

  // POSTs with retries; `parse` turns the body into the caller's result and throws
  // RpcError(Malformed) for garbage, which is retried like a transport failure.
  template <class F>
  auto post(const std::string& label, const std::string& body, F&& parse) {
    auto backoff = opt.backoff_initial;
    for (int attempt = 1;; ++attempt) {
      try {
        return parse(post_once(label, body));
      } catch (const RpcError& e) {
        if (!e.retryable() || attempt >= opt.max_attempts) {
          ++errors[static_cast<size_t>(e.kind())];
          throw;
        }
      }
      ++retries;
      std::this_thread::sleep_for(backoff);
      backoff = std::min(backoff * 2, opt.backoff_max);
    }
  }
};

HttpRpcClient::HttpRpcClient(HttpRpcOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->opt = std::move(options);
  if (impl_->opt.max_attempts < 1) impl_->opt.max_attempts = 1;
  impl_->curl = curl_easy_init();
  if (!impl_->curl) throw std::runtime_error("libcurl: curl_easy_init failed");
  CURL* c = impl_->curl;
  impl_->headers = curl_slist_append(nullptr, "Content-Type: application/json");
  curl_easy_setopt(c, CURLOPT_URL, impl_->opt.url.c_str());
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, impl_->headers);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(impl_->opt.timeout.count()));
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(impl_->opt.connect_timeout.count()));
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &Impl::on_data);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
}

HttpRpcClient::~HttpRpcClient() {
  if (impl_->curl) curl_easy_cleanup(impl_->curl);
  if (impl_->headers) curl_slist_free_all(impl_->headers);
}

json HttpRpcClient::call(std::string_view method, const json& params) {
  std::lock_guard lock(impl_->mu);
  const uint64_t id = impl_->next_id++;
  json req = {{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", params}};
  const std::string label(method);
  return impl_->post(label, req.dump(), [&](const std::string& body) -> json {
    json reply = json::parse(body, nullptr, false);
    if (reply.is_discarded() || !reply.is_object())
      throw RpcError(RpcErrorKind::Malformed, label,
                     "reply is not a JSON object: " + body.substr(0, 120));
    if (!reply.contains("id") || reply["id"] != id)
      throw RpcError(RpcErrorKind::Malformed, label, "reply id does not match the request");
    return result_or_throw(label, reply);
  });
}

std::vector<json> HttpRpcClient::batch(const std::vector<std::pair<std::string, json>>& calls) {
  if (calls.empty()) return {};
  std::lock_guard lock(impl_->mu);
  const uint64_t first = impl_->next_id;
  impl_->next_id += calls.size();
  json req = json::array();
  for (size_t i = 0; i < calls.size(); ++i)
    req.push_back({{"jsonrpc", "2.0"},
                   {"id", first + i},
                   {"method", calls[i].first},
                   {"params", calls[i].second}});
  const std::string label = "batch(" + std::to_string(calls.size()) + ")";
  return impl_->post(label, req.dump(), [&](const std::string& body) {
    json reply = json::parse(body, nullptr, false);
    if (reply.is_discarded())
      throw RpcError(RpcErrorKind::Malformed, label, "reply is not JSON: " + body.substr(0, 120));
    if (reply.is_object() && reply.contains("error"))  // the node refused the batch itself
      throw error_from_object(label, reply["error"]);
    if (!reply.is_array() || reply.size() != calls.size())
      throw RpcError(RpcErrorKind::Malformed, label,
                     "batch reply is not an array of the right size");
    std::vector<json> out(calls.size());
    std::vector<bool> seen(calls.size(), false);
    for (auto& entry : reply) {  // replies may come in any order: match by id
      if (!entry.is_object() || !entry.contains("id") || !entry["id"].is_number_unsigned())
        throw RpcError(RpcErrorKind::Malformed, label, "batch entry without a numeric id");
      uint64_t id = entry["id"].get<uint64_t>();
      if (id < first || id - first >= calls.size() || seen[id - first])
        throw RpcError(RpcErrorKind::Malformed, label, "batch entry with unknown or repeated id");
      seen[id - first] = true;
      out[id - first] = std::move(entry);
    }
    return out;
  });
}

uint64_t HttpRpcClient::attempts() const {
  return impl_->attempts;
}

uint64_t HttpRpcClient::retries() const {
  return impl_->retries;
}

uint64_t HttpRpcClient::errors(RpcErrorKind kind) const {
  return impl_->errors.at(static_cast<size_t>(kind));
}

}  // namespace codex::eth
