// parse_byte_range (the Range header of GET /data/{cid}): never throws; a
// satisfiable range lies inside the representation. Input: 8 bytes of size
// (little-endian), then the header's value.
#include <cstring>
#include <variant>

#include "agent/api/byte_range.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  uint64_t total = 0;
  const size_t head = size < 8 ? size : 8;
  std::memcpy(&total, data, head);
  const codex::agent::ByteRange r =
      codex::agent::parse_byte_range(codex::fuzz::text(data + head, size - head), total);
  if (const auto* s = std::get_if<codex::agent::SatisfiableRange>(&r)) {
    FUZZ_CHECK(s->first <= s->last);
    FUZZ_CHECK(s->last < total);
    FUZZ_CHECK(s->length() <= total);
  }
  if (total == 0) FUZZ_CHECK(!std::holds_alternative<codex::agent::SatisfiableRange>(r));
  return 0;
}
