// GET /validation: what the validator role (--validator) watches and has
// earned. Not in the reference's API (its validator reports through logs and
// metrics only); the names follow the API's camelCase.
#include <httplib.h>

#include <nlohmann/json.hpp>

#include "agent/api/allowed_methods.h"
#include "agent/api/api_context.h"
#include "agent/api/routes.h"
#include "agent/validator/validator.h"

namespace codex::agent {
namespace {

using nlohmann::json;

json check_json(const validator::PeriodCheck& c) {
  return {{"period", c.period},
          {"slots", c.slots},
          {"missing", c.missing},
          {"marked", c.marked},
          {"failed", c.failed},
          {"dropped", c.dropped},
          {"readSeconds", c.read_seconds},
          {"markSeconds", c.mark_seconds}};
}

}  // namespace

void register_validation_routes(httplib::Server& s, ApiContext& ctx, AllowedMethods& allowed) {
  const std::string path = std::string(kApiBase) + "/validation";
  allowed.add("GET", path);
  s.Get(path, [&ctx](const httplib::Request&, httplib::Response& res) {
    if (!ctx.market) return reply_text(res, 503, "Persistence is not enabled");
    if (!ctx.validator) return reply_text(res, 503, "Validation is not enabled (--validator)");
    try {
      const validator::ValidatorStatus st = ctx.validator->status();
      json out = {{"watchedSlots", st.watched},
                  {"maxSlots", st.options.max_slots},
                  {"periodsChecked", st.periods_checked},
                  {"marksSent", st.totals.marks},
                  {"rewardsEarned", st.totals.rewards.to_dec()},
                  {"lastCheck", st.last_check ? check_json(*st.last_check) : json(nullptr)}};
      if (st.options.groups) {
        out["groups"] = st.options.groups;
        out["groupIndex"] = st.options.group_index;
      }
      reply_json(res, out);
    } catch (...) {
      reply_error(res);
    }
  });
}

}  // namespace codex::agent
