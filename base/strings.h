#pragma once
// Small text helpers shared by the parsers of every layer. Pure, thread-safe.
#include <cctype>
#include <charconv>
#include <optional>
#include <string_view>

namespace codex::base {

// s without leading and trailing white space (as std::isspace in the C locale).
constexpr std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
    s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
    s.remove_suffix(1);
  return s;
}

// The whole of s as a decimal integer of type T (std::from_chars: no sign for
// an unsigned T, no white space, no prefix), or nullopt when anything is left
// over, nothing is there or it does not fit.
template <class T>
std::optional<T> parse_decimal(std::string_view s) {
  T v{};
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

}  // namespace codex::base
