// varint::read (multiformats unsigned varints): a value and the bytes it took,
// or FormatError. A value re-encodes to exactly the bytes read (minimal form).
#include "exchange/error.h"
#include "exchange/multiformats/varint.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace codex;
  std::span<const uint8_t> in = fuzz::bytes(data, size);
  try {
    const uint64_t v = varint::read(in);
    const size_t used = size - in.size();
    FUZZ_CHECK(used >= 1 && used <= varint::kMaxBytes);
    FUZZ_CHECK(varint::encode(v) == std::string(fuzz::text(data, used)));
  } catch (const FormatError&) {
  }
  return 0;
}
