// PrivateKey::from_hex (raw hex key files, --eth-private-key): a key or
// std::invalid_argument; a key's secret parses back to the same key.
#include <stdexcept>

#include "agent/eth/hex.h"
#include "agent/eth/private_key.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace codex::eth;
  try {
    const PrivateKey key = PrivateKey::from_hex(codex::fuzz::text(data, size));
    const auto secret = key.reveal_secret();
    FUZZ_CHECK(PrivateKey::from_hex(to_hex(secret)).address() == key.address());
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
