#include "agent/api/byte_range.h"

#include <optional>

#include "base/strings.h"

namespace codex::agent {
namespace {

std::optional<uint64_t> number(std::string_view s) {
  return base::parse_decimal<uint64_t>(base::trim(s));
}

}  // namespace

ByteRange parse_byte_range(std::string_view header, uint64_t size) {
  header = base::trim(header);
  constexpr std::string_view kUnit = "bytes=";
  if (header.substr(0, kUnit.size()) != kUnit) return WholeRange{};
  std::string_view spec = header.substr(kUnit.size());
  if (spec.find(',') != std::string_view::npos) return WholeRange{};  // several ranges
  size_t dash = spec.find('-');
  if (dash == std::string_view::npos) return WholeRange{};
  std::string_view a = base::trim(spec.substr(0, dash));
  std::string_view b = base::trim(spec.substr(dash + 1));
  if (a.empty()) {  // suffix: the last n bytes
    auto n = number(b);
    if (!n) return WholeRange{};
    if (*n == 0 || size == 0) return UnsatisfiableRange{};
    return SatisfiableRange{size - std::min(*n, size), size - 1};
  }
  auto first = number(a);
  if (!first) return WholeRange{};
  std::optional<uint64_t> last;
  if (!b.empty()) {
    last = number(b);
    if (!last || *last < *first) return WholeRange{};  // invalid: ignored
  }
  if (*first >= size) return UnsatisfiableRange{};
  return SatisfiableRange{*first, std::min(last.value_or(size - 1), size - 1)};
}

}  // namespace codex::agent
