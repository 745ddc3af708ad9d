#include "agent/devnet/rpc_fault_proxy.h"

#include <chrono>
#include <stdexcept>
#include <thread>

#include "agent/api/http_server.h"

namespace codex::devnet {

RpcFaultProxy::RpcFaultProxy(const std::string& upstream_url, uint64_t seed) : random_(seed) {
  // http://HOST:PORT, as anvil's url is written.
  const std::string prefix = "http://";
  const size_t colon = upstream_url.rfind(':');
  if (!upstream_url.starts_with(prefix) || colon == std::string::npos || colon < prefix.size())
    throw std::runtime_error("rpc fault proxy: cannot read the address " + upstream_url);
  upstream_host_ = upstream_url.substr(prefix.size(), colon - prefix.size());
  upstream_port_ = std::stoi(upstream_url.substr(colon + 1));

  agent::HttpLimits limits;
  limits.threads = 64;  // every node keeps a connection open
  server_ = std::make_unique<agent::HttpServer>(limits);
  server_->Post(".*", [this](const httplib::Request& req, httplib::Response& res) {
    std::chrono::milliseconds delay{0};
    const Fate fate = draw(delay);
    if (fate == Fate::kRefuse) {
      res.status = 503;
      res.set_content("rpc fault proxy: refused", "text/plain");
      return;
    }
    if (fate == Fate::kSlow) std::this_thread::sleep_for(delay);
    httplib::Client up(upstream_host_, upstream_port_);
    up.set_read_timeout(60, 0);
    auto r = up.Post(req.path, req.body, "application/json");
    if (!r) {
      res.status = 502;
      res.set_content("rpc fault proxy: upstream did not answer", "text/plain");
      return;
    }
    if (fate == Fate::kLose) {
      res.status = 502;
      res.set_content("rpc fault proxy: answer lost", "text/plain");
      agent::HttpServer::close_after_response();
      return;
    }
    res.status = r->status;
    res.set_content(r->body, "application/json");
  });
  port_ = server_->bind_port("127.0.0.1", 0, "rpc fault proxy", "");
  server_->serve_in_background();
}

RpcFaultProxy::~RpcFaultProxy() {
  server_->stop_serving();
}

std::string RpcFaultProxy::url() const {
  return "http://127.0.0.1:" + std::to_string(port_);
}

void RpcFaultProxy::fail_for(double seconds, double rate) {
  std::lock_guard l(mu_);
  const int64_t now = clock_.now().count();
  windows_.push_back({now, now + int64_t(seconds * 1000), rate});
}

bool RpcFaultProxy::failing_between(int64_t from_ms, int64_t to_ms) const {
  std::lock_guard l(mu_);
  for (const Window& w : windows_)
    if (w.from_ms <= to_ms && from_ms <= w.to_ms) return true;
  return false;
}

RpcFaultCounts RpcFaultProxy::counts() const {
  std::lock_guard l(mu_);
  return counts_;
}

RpcFaultProxy::Fate RpcFaultProxy::draw(std::chrono::milliseconds& delay) {
  std::lock_guard l(mu_);
  ++counts_.requests;
  const int64_t now = clock_.now().count();
  double rate = 0;
  for (const Window& w : windows_)
    if (w.from_ms <= now && now < w.to_ms) rate = std::max(rate, w.rate);
  if (rate == 0 || !random_.chance(rate)) return Fate::kPass;
  const double u = random_.uniform();
  if (u < 0.4) {
    ++counts_.refused;
    return Fate::kRefuse;
  }
  if (u < 0.8) {
    ++counts_.lost;
    return Fate::kLose;
  }
  ++counts_.slowed;
  delay = std::chrono::milliseconds(1000 + random_.below(3000));
  return Fate::kSlow;
}

}  // namespace codex::devnet
