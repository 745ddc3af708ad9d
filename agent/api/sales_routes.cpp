// Provider endpoints: /sales/availability (spec node.md §10.1). Without the
// marketplace roles (--persistence) they answer 503 as the reference does.
// Bodies are JSON of at most kMaxJsonBody bytes (413 beyond), read before
// anything is parsed; u64 fields take JSON numbers or decimal strings, token
// amounts decimal strings (or numbers), ids 0x-hex of 32 bytes.
#include <httplib.h>
#include <spdlog/spdlog.h>

#include <limits>
#include <nlohmann/json.hpp>

#include "agent/api/allowed_methods.h"
#include "agent/api/api_context.h"
#include "agent/api/json_input.h"
#include "agent/api/market_json.h"
#include "agent/api/routes.h"
#include "agent/market/market_api.h"
#include "agent/sales/availabilities.h"
#include "agent/sales/sales.h"
#include "base/hex.h"

namespace codex::agent {
namespace {

using httplib::ContentReader;
using httplib::Request;
using httplib::Response;
using json = nlohmann::json;
using sales::Availability;
using sales::Reservation;
using sales::Uint256;

json availability_json(const Availability& a) {
  return {{"id", base::to_hex(a.id)},
          {"totalSize", a.total_size},
          {"freeSize", a.free_size},
          {"duration", a.duration},
          {"minPricePerBytePerSecond", a.min_price_per_byte_per_second.to_dec()},
          {"totalCollateral", a.total_collateral.to_dec()},
          {"totalRemainingCollateral", a.total_remaining_collateral.to_dec()},
          {"enabled", a.enabled},
          {"until", a.until}};
}

json reservation_json(const Reservation& r) {
  return {{"id", base::to_hex(r.id)},
          {"availabilityId", base::to_hex(r.availability_id)},
          {"size", r.size},
          {"requestId", base::to_hex(r.request_id)},
          {"slotIndex", r.slot_index},
          {"validUntil", r.valid_until}};
}

sales::Id parse_id(const std::string& text) {
  sales::Id id;
  try {
    base::from_hex_exact(text, id);
  } catch (const std::exception&) {
    bad_request("Invalid availability id: expected 0x and 64 hex digits");
  }
  return id;
}

sales::NewAvailability parse_new(const json& b) {
  sales::NewAvailability n;
  n.total_size = parse_u64(required(b, "totalSize"), "totalSize");
  n.duration = parse_u64(required(b, "duration"), "duration");
  n.min_price_per_byte_per_second =
      parse_amount(required(b, "minPricePerBytePerSecond"), "minPricePerBytePerSecond");
  n.total_collateral = parse_amount(required(b, "totalCollateral"), "totalCollateral");
  if (const json* v = field(b, "enabled")) n.enabled = parse_bool(*v, "enabled");
  if (const json* v = field(b, "until")) n.until = parse_i64(*v, "until");
  return n;
}

sales::AvailabilityPatch parse_patch(const json& b) {
  if (b.contains("freeSize")) throw Refusal{422, "Updating freeSize is not allowed"};
  sales::AvailabilityPatch p;
  if (const json* v = field(b, "totalSize")) p.total_size = parse_u64(*v, "totalSize");
  if (const json* v = field(b, "duration")) p.duration = parse_u64(*v, "duration");
  if (const json* v = field(b, "minPricePerBytePerSecond"))
    p.min_price_per_byte_per_second = parse_amount(*v, "minPricePerBytePerSecond");
  if (const json* v = field(b, "totalCollateral"))
    p.total_collateral = parse_amount(*v, "totalCollateral");
  if (const json* v = field(b, "enabled")) p.enabled = parse_bool(*v, "enabled");
  if (const json* v = field(b, "until")) p.until = parse_i64(*v, "until");
  return p;
}

// Runs fn with the availabilities, mapping refusals and the sales errors to
// their statuses.
template <class F>
void with_availabilities(ApiContext& ctx, Response& res, F&& fn) {
  if (!ctx.availabilities) return reply_text(res, 503, "Persistence is not enabled");
  try {
    fn(*ctx.availabilities);
  } catch (const Refusal& r) {
    reply_text(res, r.status, r.message);
  } catch (const sales::InvalidAvailability& e) {
    reply_text(res, 422, e.what());
  } catch (const sales::UnknownAvailability& e) {
    reply_text(res, 404, e.what());
  } catch (...) {
    reply_error(res);
  }
}

json slot_json(const market::SlotId& id, const market::Request& r, uint64_t index) {
  return {{"id", base::to_hex(id)}, {"request", request_json(r)}, {"slotIndex", index}};
}

void register_slot_routes(httplib::Server& s, ApiContext& ctx, AllowedMethods& allowed) {
  const std::string list = std::string(kApiBase) + "/sales/slots";
  const std::string item = list + "/([^/]+)";
  allowed.add("GET", list);
  allowed.add("GET", item);
  s.Get(list, [&ctx](const Request&, Response& res) {
    if (!ctx.market) return reply_text(res, 503, "Persistence is not enabled");
    try {
      json out = json::array();
      for (const market::SlotId& id : ctx.market->my_slots())
        if (auto active = ctx.market->get_active_slot(id))
          out.push_back(slot_json(id, active->first, active->second));
      reply_json(res, out);
    } catch (...) {
      reply_error(res);
    }
  });
  s.Get(item, [&ctx](const Request& req, Response& res) {
    if (!ctx.sales || !ctx.availabilities)
      return reply_text(res, 503, "Persistence is not enabled");
    try {
      market::SlotId id;
      try {
        base::from_hex_exact(req.matches[1].str(), id);
      } catch (const std::exception&) {
        return reply_text(res, 400, "Invalid slot id: expected 0x and 64 hex digits");
      }
      for (const sales::SaleRecord& r : ctx.sales->sales()) {
        if (r.slot_id != id) continue;
        json j = {{"state", sales::to_string(r.state)},
                  {"requestId", base::to_hex(r.request_id)},
                  {"slotIndex", r.slot_index}};
        if (ctx.market)
          if (auto request = ctx.market->get_request(r.request_id))
            j["request"] = request_json(*request);
        if (r.reservation)
          if (auto res_row = ctx.availabilities->reservation(*r.reservation))
            j["reservation"] = reservation_json(*res_row);
        return reply_json(res, j);
      }
      reply_text(res, 404, "Provider not filling slot");
    } catch (...) {
      reply_error(res);
    }
  });
}

}  // namespace

void register_sales_routes(httplib::Server& s, ApiContext& ctx, AllowedMethods& allowed) {
  register_slot_routes(s, ctx, allowed);
  const std::string list = std::string(kApiBase) + "/sales/availability";
  const std::string item = list + "/([^/]+)";
  const std::string reservations = item + "/reservations";
  allowed.add("GET", list);
  allowed.add("POST", list);
  allowed.add("PATCH", item);
  allowed.add("GET", reservations);

  s.Get(list, [&ctx](const Request&, Response& res) {
    with_availabilities(ctx, res, [&](sales::Availabilities& av) {
      json out = json::array();
      for (const Availability& a : av.all())
        out.push_back(availability_json(a));
      reply_json(res, out);
    });
  });
  s.Post(list, [&ctx](const Request&, Response& res, const ContentReader& reader) {
    with_availabilities(ctx, res, [&](sales::Availabilities& av) {
      const Availability a = av.create(parse_new(read_object(reader)));
      spdlog::info("sales: availability {} created: {} bytes for up to {} s", base::to_hex(a.id),
                   a.total_size, a.duration);
      reply_json(res, availability_json(a));
      res.status = 201;
    });
  });
  s.Patch(item, [&ctx](const Request& req, Response& res, const ContentReader& reader) {
    with_availabilities(ctx, res, [&](sales::Availabilities& av) {
      const sales::Id id = parse_id(req.matches[1].str());
      av.update(id, parse_patch(read_object(reader)));
      res.status = 204;
    });
  });
  s.Get(reservations, [&ctx](const Request& req, Response& res) {
    with_availabilities(ctx, res, [&](sales::Availabilities& av) {
      json out = json::array();
      for (const Reservation& r : av.reservations(parse_id(req.matches[1].str())))
        out.push_back(reservation_json(r));
      reply_json(res, out);
    });
  });
}

}  // namespace codex::agent
