// decrypt_keystore (keystore v3 files given to the agent): a key or
// KeystoreError, with KDF costs bounded (libFuzzer's -rss_limit_mb and
// -timeout catch a keystore that makes us allocate or compute without limit).
#include "agent/eth/keystore.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace codex::eth;
  try {
    const PrivateKey key = decrypt_keystore(codex::fuzz::text(data, size), "fuzz");
    FUZZ_CHECK(decrypt_keystore(encrypt_keystore(key, "fuzz", 2), "fuzz").address() ==
               key.address());
  } catch (const KeystoreError&) {
  }
  return 0;
}
