// The ABI codec on eth_call return data and event data. The input is
// "<type>\n<data>": AbiType::parse takes the type (or throws AbiError), then
// abi::decode the data (a value or AbiError). A decoded value encodes, and the
// encoding decodes to the same value (decoding tolerates trailing bytes, any
// offsets and, like Solidity's decoder, a bytes/string tail whose padding is
// short or not zero, so the bytes themselves need not round-trip).
#include <algorithm>

#include "agent/eth/abi_codec.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace codex::eth;
  const uint8_t* nl = std::find(data, data + size, uint8_t{'\n'});
  if (nl == data + size) return 0;
  AbiType type;
  try {
    type = AbiType::parse(codex::fuzz::text(data, nl - data));
  } catch (const AbiError&) {
    return 0;
  }
  FUZZ_CHECK(AbiType::parse(type.canonical()).canonical() == type.canonical());
  const std::span<const uint8_t> body(nl + 1, data + size);
  try {
    const AbiValue value = abi::decode(type, body);
    const Bytes encoded = abi::encode(type, value);
    FUZZ_CHECK(abi::decode(type, encoded) == value);
  } catch (const AbiError&) {
  }
  return 0;
}
