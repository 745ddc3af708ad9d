#include "exchange/crypto/secret_bytes.h"

#include <sodium.h>

namespace codex::crypto {

void SecretBytes::wipe() {
  if (!bytes_.empty()) sodium_memzero(bytes_.data(), bytes_.size());
}

}  // namespace codex::crypto
