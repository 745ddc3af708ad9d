// Node endpoints: /space, /peerid, /debug/info (spec node.md §10.1).
#include <httplib.h>

#include <nlohmann/json.hpp>

#include "agent/api/allowed_methods.h"
#include "agent/api/api_context.h"
#include "agent/api/routes.h"
#include "exchange/net/network.h"
#include "exchange/net/node_key.h"
#include "exchange/store/repo.h"

namespace codex::agent {
namespace {

using httplib::Request;
using httplib::Response;
using json = nlohmann::json;

}  // namespace

void register_node_routes(httplib::Server& s, ApiContext& ctx, AllowedMethods& allowed) {
  const std::string base = kApiBase;
  for (const char* path : {"/space", "/peerid", "/debug/info"})
    allowed.add("GET", base + path);
  s.Get(base + "/space", [&ctx](const Request&, Response& res) {
    store::Usage u = ctx.repo.usage();
    reply_json(res, json{{"totalBlocks", u.total_blocks},
                         {"quotaMaxBytes", u.quota_max},
                         {"quotaUsedBytes", u.used},
                         {"quotaReservedBytes", u.reserved}});
  });
  s.Get(base + "/peerid", [&ctx](const Request& req, Response& res) {
    if (wants_text(req))
      res.set_content(ctx.key.peer_id(), "text/plain");
    else
      reply_json(res, json{{"id", ctx.key.peer_id()}});
  });
  s.Get(base + "/debug/info", [&ctx](const Request&, Response& res) {
    json peers = json::array();
    if (ctx.network)
      for (const auto& p : ctx.network->peers())
        peers.push_back({{"peerId", p.id.to_string()},
                         {"address", p.remote},
                         {"direction", p.outbound ? "outbound" : "inbound"},
                         {"muxer", p.muxer},
                         {"agentVersion", p.agent_version},
                         {"protocols", p.protocols},
                         {"listenAddrs", p.listen_addrs}});
    json info = {
        {"id", ctx.key.peer_id()},
        {"addrs", ctx.listen_addrs},
        {"repo", ctx.repo_path},
        {"spr", ctx.network ? ctx.network->spr() : ""},
        {"announceAddresses", ctx.listen_addrs},
        {"table", {{"localNode", {{"peerId", ctx.key.peer_id()}}}, {"nodes", json::array()}}},
        {"peers", peers},
        {"codex", {{"version", ctx.version}, {"revision", ""}, {"contracts", ""}}},
    };
    reply_json(res, info);
  });
}

}  // namespace codex::agent
