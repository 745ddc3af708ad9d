// filename_from_content_disposition (upload headers): a safe name or nullopt,
// never an exception. A returned name obeys the documented rules.
#include <algorithm>

#include "agent/api/content_disposition.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto name = codex::agent::filename_from_content_disposition(codex::fuzz::text(data, size));
  if (!name) return 0;
  FUZZ_CHECK(!name->empty() && name->size() <= 255);
  FUZZ_CHECK(*name != "." && *name != "..");
  FUZZ_CHECK(std::none_of(name->begin(), name->end(), [](unsigned char c) {
    return c == '/' || c == '\\' || c < 0x20 || c == 0x7f;
  }));
  return 0;
}
