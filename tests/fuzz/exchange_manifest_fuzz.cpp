// Manifest::decode (manifest blocks from the store and from peers): a manifest
// that passes verify() or FormatError; a manifest survives encode then decode.
#include "exchange/error.h"
#include "exchange/manifest/manifest.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace codex;
  try {
    const Manifest m = Manifest::decode(fuzz::bytes(data, size));
    m.verify();
    FUZZ_CHECK(Manifest::decode(m.encode()) == m);
    FUZZ_CHECK(m.cid().valid());
  } catch (const FormatError&) {
  }
  return 0;
}
