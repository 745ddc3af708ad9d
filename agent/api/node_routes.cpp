// Node endpoints: /space, /peerid, /debug/info (spec node.md §10.1).
#include <httplib.h>

#include <nlohmann/json.hpp>

#include "agent/api/api_context.h"
#include "agent/api/routes.h"
#include "exchange/net/node_key.h"
#include "exchange/store/repo.h"

namespace codex::agent {
namespace {

using httplib::Request;
using httplib::Response;
using json = nlohmann::json;

bool wants_text(const Request& req) {
  return req.get_header_value("Accept").find("text/plain") != std::string::npos;
}

}  // namespace

void register_node_routes(httplib::Server& s, ApiContext& ctx) {
  const std::string base = kApiBase;
  s.Get(base + "/space", [&ctx](const Request&, Response& res) {
    store::Usage u = ctx.repo.usage();
    res.set_content(json{{"totalBlocks", u.total_blocks},
                         {"quotaMaxBytes", u.quota_max},
                         {"quotaUsedBytes", u.used},
                         {"quotaReservedBytes", u.reserved}}
                        .dump(),
                    "application/json");
  });
  s.Get(base + "/peerid", [&ctx](const Request& req, Response& res) {
    if (wants_text(req))
      res.set_content(ctx.key.peer_id(), "text/plain");
    else
      res.set_content(json{{"id", ctx.key.peer_id()}}.dump(), "application/json");
  });
  s.Get(base + "/debug/info", [&ctx](const Request&, Response& res) {
    json info = {
        {"id", ctx.key.peer_id()},
        {"addrs", ctx.listen_addrs},
        {"repo", ctx.repo_path},
        {"spr", ""},
        {"announceAddresses", json::array()},
        {"table", {{"localNode", {{"peerId", ctx.key.peer_id()}}}, {"nodes", json::array()}}},
        {"codex", {{"version", ctx.version}, {"revision", ""}, {"contracts", ""}}},
    };
    res.set_content(info.dump(), "application/json");
  });
}

}  // namespace codex::agent
