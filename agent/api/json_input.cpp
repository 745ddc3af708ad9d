#include "agent/api/json_input.h"

#include <httplib.h>

#include <limits>
#include <nlohmann/json.hpp>

namespace codex::agent {

using json = nlohmann::json;
using eth::Uint256;

void bad_request(std::string message) {
  throw Refusal{400, std::move(message)};
}

// The body as a JSON object, read through `reader` up to kMaxJsonBody.
json read_object(const httplib::ContentReader& reader) {
  std::string body;
  bool too_long = false;
  reader([&](const char* data, size_t n) {
    if (body.size() + n > kMaxJsonBody) {
      too_long = true;
      return false;
    }
    body.append(data, n);
    return true;
  });
  if (too_long) throw Refusal{413, "Body larger than " + std::to_string(kMaxJsonBody) + " bytes"};
  json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) bad_request("Body is not valid JSON");
  if (!j.is_object()) bad_request("Body must be a JSON object");
  return j;
}

uint64_t parse_u64(const json& v, const char* name) {
  if (v.is_number_unsigned()) return v.get<uint64_t>();
  if (v.is_string()) {
    const std::string& s = v.get_ref<const std::string&>();
    uint64_t out = 0;
    bool ok = !s.empty() && s.size() <= 20;
    for (char c : s) {
      if (!ok) break;
      ok = c >= '0' && c <= '9';
      const uint64_t d = static_cast<uint64_t>(c - '0');
      if (ok && out > (std::numeric_limits<uint64_t>::max() - d) / 10) ok = false;
      if (ok) out = out * 10 + d;
    }
    if (ok) return out;
  }
  bad_request(std::string(name) + " must be a non-negative integer (at most 2^64 - 1)");
}

Uint256 parse_amount(const json& v, const char* name) {
  if (v.is_number_unsigned()) return Uint256(v.get<uint64_t>());
  if (v.is_string()) {
    try {
      return Uint256::from_string(v.get_ref<const std::string&>());
    } catch (const std::exception&) {
    }
  }
  bad_request(std::string(name) + " must be a non-negative integer below 2^256, as a string");
}

int64_t parse_i64(const json& v, const char* name) {
  if (v.is_number_integer()) {
    if (v.is_number_unsigned() && v.get<uint64_t>() > std::numeric_limits<int64_t>::max())
      bad_request(std::string(name) + " is too large");
    return v.get<int64_t>();
  }
  bad_request(std::string(name) + " must be an integer (unix seconds)");
}

bool parse_bool(const json& v, const char* name) {
  if (!v.is_boolean()) bad_request(std::string(name) + " must be true or false");
  return v.get<bool>();
}

const json* field(const json& body, const char* name) {
  auto it = body.find(name);
  if (it == body.end() || it->is_null()) return nullptr;
  return &*it;
}

const json& required(const json& body, const char* name) {
  const json* v = field(body, name);
  if (!v) bad_request(std::string("Missing field ") + name);
  return *v;
}

}  // namespace codex::agent
