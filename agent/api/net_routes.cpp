// Network endpoints: /connect/{peerId}, /spr (spec node.md §10.1).
#include <httplib.h>

#include <nlohmann/json.hpp>

#include "agent/api/allowed_methods.h"
#include "agent/api/api_context.h"
#include "agent/api/routes.h"
#include "base/strings.h"
#include "exchange/net/error.h"
#include "exchange/net/multiaddr.h"
#include "exchange/net/network.h"

namespace codex::agent {
namespace {

using httplib::Request;
using httplib::Response;
using json = nlohmann::json;

// A /connect may name at most this many addresses.
constexpr size_t kMaxConnectAddrs = 16;

// `addrs` may repeat, or list several addresses separated by commas.
std::vector<net::Multiaddr> parse_addrs(const Request& req) {
  std::vector<net::Multiaddr> out;
  const size_t n = req.get_param_value_count("addrs");
  for (size_t i = 0; i < n; ++i) {
    const std::string value = req.get_param_value("addrs", i);
    std::string_view all = value;
    while (!all.empty()) {
      const size_t comma = all.find(',');
      const std::string_view one = base::trim(all.substr(0, comma));
      all = comma == std::string_view::npos ? std::string_view() : all.substr(comma + 1);
      if (one.empty()) continue;
      if (out.size() == kMaxConnectAddrs)
        throw std::invalid_argument("more than " + std::to_string(kMaxConnectAddrs) + " addresses");
      out.push_back(net::Multiaddr::parse(one));
    }
  }
  return out;
}

}  // namespace

void register_net_routes(httplib::Server& s, ApiContext& ctx, AllowedMethods& allowed) {
  const std::string base = kApiBase;
  allowed.add("GET", base + "/spr");
  allowed.add("GET", base + R"(/connect/([^/]+))");
  s.Get(base + "/spr", [&ctx](const Request& req, Response& res) {
    if (!ctx.network) return reply_text(res, 503, "The network is not running");
    if (wants_text(req)) return reply_text(res, 200, ctx.network->spr());
    reply_json(res, json{{"spr", ctx.network->spr()}});
  });
  s.Get(base + R"(/connect/([^/]+))", [&ctx](const Request& req, Response& res) {
    if (!ctx.network) return reply_text(res, 503, "The network is not running");
    std::optional<net::PeerId> peer;
    std::vector<net::Multiaddr> addrs;
    try {
      peer = net::PeerId::parse(req.matches[1].str());
      addrs = parse_addrs(req);
    } catch (const std::exception& e) {
      return reply_text(res, 400, std::string("Invalid peer id or address: ") + e.what());
    }
    for (const auto& a : addrs)
      if (a.peer_id() && a.peer_id() != peer)
        return reply_text(res, 400, "Address " + a.to_string() + " names another peer");
    try {
      ctx.network->connect(peer, addrs);
      reply_text(res, 200, "Successfully connected to peer");
    } catch (const net::NetError& e) {
      reply_text(res, 400, std::string("Unable to connect to peer: ") + e.what());
    } catch (const FormatError& e) {
      reply_text(res, 400, std::string("Peer broke the handshake: ") + e.what());
    }
  });
}

}  // namespace codex::agent
