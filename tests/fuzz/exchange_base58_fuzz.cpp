// base58::decode: bytes or FormatError. Decoded text re-encodes to itself, and
// any bytes survive encode then decode.
#include "exchange/error.h"
#include "exchange/multiformats/base58.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace codex;
  const std::string_view text = fuzz::text(data, size);
  try {
    const std::string decoded = base58::decode(text);
    FUZZ_CHECK(base58::encode({reinterpret_cast<const uint8_t*>(decoded.data()), decoded.size()}) ==
               text);
  } catch (const FormatError&) {
  }
  const std::string encoded = base58::encode(fuzz::bytes(data, size));
  FUZZ_CHECK(base58::decode(encoded) == text);
  return 0;
}
