// Network endpoints: /connect/{peerId}, /spr (spec node.md §10.1).
#include <httplib.h>

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "agent/api/allowed_methods.h"
#include "agent/api/api_context.h"
#include "agent/api/protected_fetches.h"
#include "agent/api/routes.h"
#include "base/strings.h"
#include "exchange/erasure/errors.h"
#include "exchange/manifest/manifest.h"
#include "exchange/multiformats/multicodec.h"
#include "exchange/net/blockexc/message.h"
#include "exchange/net/dataset_fetch.h"
#include "exchange/net/error.h"
#include "exchange/net/kad/dht.h"
#include "exchange/net/multiaddr.h"
#include "exchange/net/network.h"
#include "exchange/net/protected_download.h"
#include "exchange/store/repo.h"

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

// Blocks fetched per window of a network stream: bounded memory (4 MiB of
// 64 KiB blocks), enough requests in flight to keep peers busy.
constexpr uint64_t kStreamWindow = 64;
// The manifest, local or fetched from peers (providers found through the
// DHT dialled first).
Manifest fetch_manifest(ApiContext& ctx, const Cid& cid) {
  return net::fetch_manifest(*ctx.network, ctx.dht, ctx.repo, cid);
}

std::vector<net::blockexc::BlockAddress> leaves(const Cid& tree, uint64_t first, uint64_t end) {
  std::vector<net::blockexc::BlockAddress> out;
  for (uint64_t i = first; i < end; ++i)
    out.push_back(net::blockexc::BlockAddress::of_leaf(tree, i));
  return out;
}

// Runs `fn`, answering the network's failures: 404 when no peer has the
// manifest, 400 for a bad CID, 500 otherwise.
template <typename F>
void network_call(Response& res, F&& fn) {
  try {
    fn();
  } catch (const net::NetError& e) {
    reply_text(res, 404, std::string("Not found on the network: ") + e.what());
  } catch (const erasure::TooManyLossesError& e) {
    reply_text(res, 404, std::string("Not enough blocks on the network to decode: ") + e.what());
  } catch (const FormatError& e) {
    reply_text(res, 400, e.what());
  } catch (const std::exception& e) {
    reply_text(res, 500, e.what());
  }
}

// Streams the original bytes of a protected dataset, decoding the steps
// whose blocks no peer delivers. The first window is fetched before the
// answer starts: a dataset that cannot be recovered is an error status, not
// a cut stream.
void stream_protected(ApiContext& ctx, const Cid& cid, const Manifest& m, Response& res) {
  auto download = std::make_shared<net::ProtectedDownload>(*ctx.network, m);
  auto window = std::make_shared<std::vector<std::string>>(download->window(0));
  if (m.filename) res.set_header("Content-Disposition", content_disposition(*m.filename));
  res.set_content_provider(
      download->size(), m.mimetype.value_or("application/octet-stream"),
      [download, cid, window](size_t offset, size_t, httplib::DataSink& sink) {
        try {
          const uint64_t bs = download->manifest().block_size;
          const uint64_t per = download->window_blocks();
          const uint64_t block = offset / bs;
          if (offset % bs != 0) return false;  // whole blocks are written: never here
          const uint64_t start = block - block % per;
          if (block == start && block > 0) {
            const uint64_t before = download->recovered();
            *window = download->window(start);
            if (download->recovered() != before)
              spdlog::info("api: network stream of {}: {} blocks recovered by decoding so far",
                           cid.to_string(), download->recovered());
          }
          const std::string& data = window->at(block - start);
          const uint64_t take = std::min<uint64_t>(data.size(), download->size() - offset);
          return sink.write(data.data(), take);
        } catch (const std::exception& e) {
          spdlog::warn("api: network stream of {} cut short: {}", cid.to_string(), e.what());
          return false;
        }
      });
}

}  // namespace

void register_net_routes(httplib::Server& s, ApiContext& ctx, AllowedMethods& allowed) {
  const std::string base = kApiBase;
  allowed.add("GET", base + "/spr");
  allowed.add("GET", base + R"(/connect/([^/]+))");
  allowed.add("GET", base + R"(/data/([^/]+)/network/manifest)");
  allowed.add("GET", base + R"(/data/([^/]+)/network/stream)");
  allowed.add("POST", base + R"(/data/([^/]+)/network)");
  s.Get(base + R"(/data/([^/]+)/network/manifest)", [&ctx](const Request& req, Response& res) {
    if (!ctx.network) return reply_text(res, 503, "The network is not running");
    network_call(res, [&] {
      const Cid cid = Cid::parse(req.matches[1].str());
      reply_json(res, json{{"cid", cid.to_string()},
                           {"manifest", manifest_json(fetch_manifest(ctx, cid))}});
    });
  });
  s.Post(base + R"(/data/([^/]+)/network)", [&ctx](const Request& req, Response& res) {
    if (!ctx.network) return reply_text(res, 503, "The network is not running");
    network_call(res, [&] {
      const Cid cid = Cid::parse(req.matches[1].str());
      const Manifest m = fetch_manifest(ctx, cid);
      // A protected dataset is stored as its original data, decoded where
      // blocks are lost, so that it reads locally as an upload would.
      if (m.is_protected() && ctx.protected_fetches)
        ctx.protected_fetches->start(cid.to_string(), m);
      else
        ctx.network->fetch_tree_in_background(m.tree_cid, m.blocks_count());
      spdlog::info("api: downloading {} ({} blocks) from the network", cid.to_string(),
                   m.blocks_count());
      reply_json(res, json{{"cid", cid.to_string()}, {"manifest", manifest_json(m)}});
    });
  });
  s.Get(base + R"(/data/([^/]+)/network/stream)", [&ctx](const Request& req, Response& res) {
    if (!ctx.network) return reply_text(res, 503, "The network is not running");
    network_call(res, [&] {
      const Cid cid = Cid::parse(req.matches[1].str());
      const Manifest m = fetch_manifest(ctx, cid);
      if (m.is_protected()) return stream_protected(ctx, cid, m, res);
      // The first window now: a dataset nobody serves is a 404, not a cut stream.
      const uint64_t first_end = std::min<uint64_t>(kStreamWindow, m.blocks_count());
      auto window = std::make_shared<std::vector<std::string>>(
          ctx.network->fetch_blocks(leaves(m.tree_cid, 0, first_end)));
      if (m.filename) res.set_header("Content-Disposition", content_disposition(*m.filename));
      net::Network* network = ctx.network;
      res.set_content_provider(
          m.dataset_size, m.mimetype.value_or("application/octet-stream"),
          [network, m, cid, window](size_t offset, size_t, httplib::DataSink& sink) {
            try {
              const uint64_t bs = m.block_size;
              const uint64_t block = offset / bs;
              if (offset % bs != 0) return false;  // whole blocks are written: never here
              const uint64_t start = block - block % kStreamWindow;
              if (block == start && block > 0)
                *window = network->fetch_blocks(
                    leaves(m.tree_cid, start,
                           std::min<uint64_t>(start + kStreamWindow, m.blocks_count())));
              const std::string& data = window->at(block - start);
              const uint64_t take = std::min<uint64_t>(data.size(), m.dataset_size - offset);
              return sink.write(data.data(), take);
            } catch (const std::exception& e) {
              spdlog::warn("api: network stream of {} cut short: {}", cid.to_string(), e.what());
              return false;
            }
          });
    });
  });
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
