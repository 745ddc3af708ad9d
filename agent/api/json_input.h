#pragma once
// JSON request bodies of the REST API (/sales, /storage): read with a bound,
// fields checked by type. Sizes and times (u64) are JSON numbers or decimal
// strings, token amounts (u256) decimal or 0x strings (or numbers), flags
// booleans. Anything else is a Refusal with status 400 naming the field.
#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <string>

#include "agent/eth/uint256.h"

namespace httplib {
class ContentReader;
}

namespace codex::agent {

inline constexpr size_t kMaxJsonBody = 64 << 10;

// An input the API refuses, with its status and message.
struct Refusal {
  int status;
  std::string message;
};

[[noreturn]] void bad_request(std::string message);

// The body as a JSON object, read up to kMaxJsonBody (413 beyond).
nlohmann::json read_object(const httplib::ContentReader& reader);

uint64_t parse_u64(const nlohmann::json& v, const char* name);
eth::Uint256 parse_amount(const nlohmann::json& v, const char* name);
int64_t parse_i64(const nlohmann::json& v, const char* name);
bool parse_bool(const nlohmann::json& v, const char* name);

// The field, or null when absent or JSON null.
const nlohmann::json* field(const nlohmann::json& body, const char* name);
// The field; a Refusal 400 "Missing field <name>" when absent.
const nlohmann::json& required(const nlohmann::json& body, const char* name);

}  // namespace codex::agent
