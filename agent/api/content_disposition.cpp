#include "agent/api/content_disposition.h"

#include <cctype>

#include "agent/api/utf8.h"
#include "base/strings.h"

namespace codex::agent {
namespace {

using base::trim;

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

bool safe(std::string_view name) {
  if (name.empty() || name.size() > 255 || name == "." || name == "..") return false;
  // Names are shown in JSON (GET /data): they must be text.
  if (!is_valid_utf8(name)) return false;
  for (unsigned char c : name)
    if (c < 0x20 || c == 0x7f || c == '/' || c == '\\') return false;
  return true;
}

}  // namespace

std::optional<std::string> filename_from_content_disposition(std::string_view header) {
  size_t semi = header.find(';');
  std::string_view type = trim(header.substr(0, semi));
  if (!iequals(type, "attachment") && !iequals(type, "inline") && !iequals(type, "form-data"))
    return std::nullopt;
  std::optional<std::string> name;
  while (semi != std::string_view::npos) {
    std::string_view rest = header.substr(semi + 1);
    size_t eq = rest.find('=');
    if (eq == std::string_view::npos) return std::nullopt;
    std::string_view key = trim(rest.substr(0, eq));
    std::string_view value = trim(rest.substr(eq + 1));
    std::string parsed;
    size_t consumed;
    if (!value.empty() && value.front() == '"') {
      size_t i = 1;
      for (; i < value.size() && value[i] != '"'; ++i) {
        if (value[i] == '\\' && i + 1 < value.size()) ++i;
        parsed.push_back(value[i]);
      }
      if (i >= value.size()) return std::nullopt;  // unterminated quote
      consumed = i + 1;
      std::string_view after = trim(value.substr(consumed));
      if (!after.empty() && after.front() != ';') return std::nullopt;
      semi = after.empty() ? std::string_view::npos : header.size() - after.size();
    } else {
      size_t end = value.find(';');
      parsed = std::string(trim(value.substr(0, end)));
      semi = end == std::string_view::npos ? std::string_view::npos
                                           : header.size() - value.size() + end;
    }
    if (iequals(key, "filename")) name = parsed;
  }
  if (!name || !safe(*name)) return std::nullopt;
  return name;
}

}  // namespace codex::agent
