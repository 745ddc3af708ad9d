#pragma once
// Route registration, split by area; shared helpers for handlers.
#include <string>

namespace httplib {
class Server;
struct Response;
}  // namespace httplib

namespace codex::agent {

struct ApiContext;

inline constexpr const char* kApiBase = "/api/codex/v1";

void register_data_routes(httplib::Server& server, ApiContext& ctx);
void register_node_routes(httplib::Server& server, ApiContext& ctx);

// Sets status and a text/plain body.
void reply_text(httplib::Response& res, int status, const std::string& body);
// Maps the current exception (inside a catch block) to a status and message:
// FormatError → 400, NotFoundError → 404, QuotaError → 422, others → 500.
void reply_error(httplib::Response& res);

}  // namespace codex::agent
