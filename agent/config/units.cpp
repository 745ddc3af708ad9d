#include "agent/config/units.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <limits>
#include <stdexcept>
#include "base/strings.h"

namespace codex::agent {
namespace {

using base::trim;

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return char(std::tolower(c)); });
  return out;
}

// Splits "123abc" into 123 and "abc"; throws on a missing or overflowing number.
std::pair<uint64_t, std::string> split(std::string_view text, const char* what) {
  text = trim(text);
  if (text.empty()) throw std::invalid_argument(std::string(what) + ": empty value");
  uint64_t n = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec == std::errc::result_out_of_range)
    throw std::invalid_argument(std::string(what) + ": number too large in '" + std::string(text) +
                                "'");
  if (ec != std::errc() || p == text.data())
    throw std::invalid_argument(std::string(what) + ": '" + std::string(text) +
                                "' does not start with a number");
  return {n, lower(trim(std::string_view(p, size_t(text.data() + text.size() - p))))};
}

uint64_t mul(uint64_t n, uint64_t unit, std::string_view text, const char* what) {
  if (unit != 0 && n > std::numeric_limits<uint64_t>::max() / unit)
    throw std::invalid_argument(std::string(what) + ": '" + std::string(text) + "' overflows");
  return n * unit;
}

}  // namespace

uint64_t parse_size(std::string_view text) {
  auto [n, suffix] = split(text, "size");
  struct Unit {
    const char* name;
    uint64_t mult;
  };
  static constexpr Unit kUnits[] = {
      {"", 1},
      {"b", 1},
      {"k", 1ull << 10},
      {"kib", 1ull << 10},
      {"kb", 1000ull},
      {"m", 1ull << 20},
      {"mib", 1ull << 20},
      {"mb", 1000000ull},
      {"g", 1ull << 30},
      {"gib", 1ull << 30},
      {"gb", 1000000000ull},
      {"t", 1ull << 40},
      {"tib", 1ull << 40},
      {"tb", 1000000000000ull},
  };
  for (const auto& u : kUnits)
    if (suffix == u.name) return mul(n, u.mult, text, "size");
  throw std::invalid_argument("size: unknown unit '" + suffix + "' in '" + std::string(text) + "'");
}

std::chrono::seconds parse_duration(std::string_view text) {
  auto [n, suffix] = split(text, "duration");
  struct Unit {
    const char* name;
    uint64_t mult;
  };
  static constexpr Unit kUnits[] = {{"", 1},        {"s", 1},       {"m", 60},      {"h", 3600},
                                    {"d", 86400},   {"w", 604800},  {"sec", 1},     {"min", 60},
                                    {"hour", 3600}, {"day", 86400}, {"days", 86400}};
  for (const auto& u : kUnits)
    if (suffix == u.name) {
      uint64_t s = mul(n, u.mult, text, "duration");
      if (s > uint64_t(std::numeric_limits<int64_t>::max()))
        throw std::invalid_argument("duration: '" + std::string(text) + "' overflows");
      return std::chrono::seconds(int64_t(s));
    }
  throw std::invalid_argument("duration: unknown unit '" + suffix + "' in '" + std::string(text) +
                              "' (use s, m, h, d or w)");
}

std::string format_size(uint64_t bytes) {
  static const char* kNames[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = double(bytes);
  int i = 0;
  while (v >= 1024 && i < 4) {
    v /= 1024;
    ++i;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, i == 0 ? "%.0f %s" : "%.1f %s", v, kNames[i]);
  return buf;
}

}  // namespace codex::agent
