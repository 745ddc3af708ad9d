#pragma once
// Small text helpers shared by the parsers of every layer. Pure, thread-safe.
#include <cctype>
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

}  // namespace codex::base
