// Sizes and durations in options and config files (parse_size,
// parse_duration): a value or std::invalid_argument. A plain number of bytes
// or seconds parses to itself.
#include <stdexcept>
#include <string>

#include "agent/config/units.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace codex::agent;
  const std::string_view text = codex::fuzz::text(data, size);
  try {
    const uint64_t bytes = parse_size(text);
    FUZZ_CHECK(parse_size(std::to_string(bytes)) == bytes);
    (void)format_size(bytes);
  } catch (const std::invalid_argument&) {
  }
  try {
    const auto secs = parse_duration(text);
    FUZZ_CHECK(secs.count() >= 0);
    FUZZ_CHECK(parse_duration(std::to_string(secs.count())) == secs);
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
