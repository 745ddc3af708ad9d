// Client endpoints: POST /storage/request/{cid}, GET /storage/purchases,
// GET /storage/purchases/{id} (spec node.md §6.1, §10.1). Without the
// marketplace roles (--persistence) they answer 503.
#include <httplib.h>
#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "agent/api/allowed_methods.h"
#include "agent/api/api_context.h"
#include "agent/api/json_input.h"
#include "agent/api/market_json.h"
#include "agent/api/routes.h"
#include "agent/purchasing/purchasing.h"
#include "base/hex.h"
#include "exchange/error.h"

namespace codex::agent {
namespace {

using httplib::ContentReader;
using httplib::Request;
using httplib::Response;
using json = nlohmann::json;
using purchasing::PurchaseRecord;

purchasing::StorageRequestParams parse_params(const json& b) {
  purchasing::StorageRequestParams p;
  p.duration = parse_u64(required(b, "duration"), "duration");
  p.proof_probability = parse_amount(required(b, "proofProbability"), "proofProbability");
  p.price_per_byte_per_second =
      parse_amount(required(b, "pricePerBytePerSecond"), "pricePerBytePerSecond");
  p.collateral_per_byte = parse_amount(required(b, "collateralPerByte"), "collateralPerByte");
  p.expiry = parse_u64(required(b, "expiry"), "expiry");
  auto small = [](const json& v, const char* name) {
    const uint64_t n = parse_u64(v, name);
    if (n > 256) throw Refusal{422, std::string(name) + " must be at most 256"};
    return static_cast<uint32_t>(n);
  };
  if (const json* v = field(b, "nodes")) p.nodes = small(*v, "nodes");
  if (const json* v = field(b, "tolerance")) p.tolerance = small(*v, "tolerance");
  return p;
}

market::RequestId parse_request_id(const std::string& text) {
  market::RequestId id;
  try {
    base::from_hex_exact(text, id);
  } catch (const std::exception&) {
    bad_request("Invalid purchase id: expected 64 hex digits");
  }
  return id;
}

json purchase_json(const PurchaseRecord& r) {
  json j = {{"requestId", base::to_hex(r.id)},
            {"request", request_json(r.request)},
            {"state", purchasing::to_string(r.state)}};
  if (!r.error.empty()) j["error"] = r.error;
  return j;
}

template <class F>
void with_purchasing(ApiContext& ctx, Response& res, F&& fn) {
  if (!ctx.purchasing) return reply_text(res, 503, "Persistence is not enabled");
  try {
    fn(*ctx.purchasing);
  } catch (const Refusal& r) {
    reply_text(res, r.status, r.message);
  } catch (const purchasing::InvalidStorageRequest& e) {
    reply_text(res, 422, e.what());
  } catch (...) {
    reply_error(res);
  }
}

}  // namespace

void register_storage_routes(httplib::Server& s, ApiContext& ctx, AllowedMethods& allowed) {
  const std::string base = std::string(kApiBase) + "/storage";
  const std::string request = base + "/request/([^/]+)";
  const std::string list = base + "/purchases";
  const std::string item = list + "/([^/]+)";
  allowed.add("POST", request);
  allowed.add("GET", list);
  allowed.add("GET", item);

  s.Post(request, [&ctx](const Request& req, Response& res, const ContentReader& reader) {
    with_purchasing(ctx, res, [&](purchasing::Purchasing& p) {
      const Cid cid = Cid::parse(req.matches[1].str());
      const purchasing::StorageRequestParams params = parse_params(read_object(reader));
      const market::RequestId id = p.request_storage(cid, params);
      // The reference answers the id as hex without 0x.
      res.set_content(base::to_hex(id, false), "text/plain");
    });
  });
  s.Get(list, [&ctx](const Request&, Response& res) {
    with_purchasing(ctx, res, [&](purchasing::Purchasing& p) {
      json out = json::array();
      for (const PurchaseRecord& r : p.purchases())
        out.push_back(base::to_hex(r.id));
      reply_json(res, out);
    });
  });
  s.Get(item, [&ctx](const Request& req, Response& res) {
    with_purchasing(ctx, res, [&](purchasing::Purchasing& p) {
      const auto r = p.purchase(parse_request_id(req.matches[1].str()));
      if (!r) return reply_text(res, 404, "Purchase not found");
      reply_json(res, purchase_json(*r));
    });
  });
}

}  // namespace codex::agent
