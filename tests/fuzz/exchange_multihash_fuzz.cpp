// Multihash::decode: a multihash or FormatError; a multihash encodes back to
// the input (strict decoding admits one encoding only).
#include "exchange/error.h"
#include "exchange/multiformats/multihash.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace codex;
  try {
    const Multihash mh = Multihash::decode(fuzz::bytes(data, size));
    FUZZ_CHECK(mh.encode() == fuzz::text(data, size));
    FUZZ_CHECK(Multihash(mh.code(), mh.digest()) == mh);
  } catch (const FormatError&) {
  }
  return 0;
}
