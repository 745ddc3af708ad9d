#pragma once
// Route registration, split by area; shared helpers for handlers.
#include <nlohmann/json_fwd.hpp>
#include <string>

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace codex {
struct Manifest;
}

namespace codex::agent {

struct ApiContext;
class AllowedMethods;

inline constexpr const char* kApiBase = "/api/codex/v1";

// Each registers its handlers and the methods of each pattern in `allowed`.
void register_data_routes(httplib::Server& server, ApiContext& ctx, AllowedMethods& allowed);
void register_node_routes(httplib::Server& server, ApiContext& ctx, AllowedMethods& allowed);
void register_net_routes(httplib::Server& server, ApiContext& ctx, AllowedMethods& allowed);
void register_sales_routes(httplib::Server& server, ApiContext& ctx, AllowedMethods& allowed);
void register_storage_routes(httplib::Server& server, ApiContext& ctx, AllowedMethods& allowed);
void register_validation_routes(httplib::Server& server, ApiContext& ctx, AllowedMethods& allowed);

// Whether the client asks for text/plain (/peerid, /spr answer JSON otherwise).
bool wants_text(const httplib::Request& req);
// Sets status and a text/plain body.
void reply_text(httplib::Response& res, int status, const std::string& body);
// Maps the current exception (inside a catch block) to a status and message:
// FormatError → 400, NotFoundError → 404, QuotaError → 422, others → 500.
void reply_error(httplib::Response& res);
// Sets status 200 and a JSON body; bytes that are not UTF-8 (a name stored by
// an older build) become U+FFFD instead of failing the whole answer.
void reply_json(httplib::Response& res, const nlohmann::json& body);
// A manifest as the REST API shows it (the DataItem's "manifest").
nlohmann::json manifest_json(const Manifest& m);
// Content-Disposition for a stored file name: quotes and backslashes escaped,
// control characters dropped.
std::string content_disposition(const std::string& name);

}  // namespace codex::agent
