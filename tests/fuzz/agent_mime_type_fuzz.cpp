// Upload Content-Type checks: is_known_mime_type and normalise_mime_type never
// throw; the normal form is lower case, without parameters, and idempotent.
#include <algorithm>

#include "agent/api/mime_types.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace codex::agent;
  const std::string_view text = codex::fuzz::text(data, size);
  const std::string norm = normalise_mime_type(text);
  FUZZ_CHECK(norm.find(';') == std::string::npos);
  FUZZ_CHECK(std::none_of(norm.begin(), norm.end(), [](char c) { return c >= 'A' && c <= 'Z'; }));
  FUZZ_CHECK(normalise_mime_type(norm) == norm);
  FUZZ_CHECK(is_known_mime_type(text) == is_known_mime_type(norm));
  return 0;
}
