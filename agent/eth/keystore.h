// Ethereum keystore v3 (Web3 Secret Storage) files: scrypt or PBKDF2-SHA256 key
// derivation, AES-128-CTR encryption, MAC = keccak256(dk[16..32] ‖ ciphertext).
#pragma once

#include <string>
#include <string_view>

#include "agent/eth/private_key.h"

namespace codex::eth {

struct KeystoreError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Decrypts a keystore v3 JSON document. Throws KeystoreError on malformed JSON,
// unsupported kdf/cipher, KDF parameters beyond sane bounds (scrypt n > 2^20,
// r*p > 64, memory 128·r·n > 1 GiB, pbkdf2 c > 10^7: refused rather than
// exhausting memory/time), a MAC
// mismatch (wrong password or corrupted file), or an address field that does not
// match the decrypted key. Thread-safe.
PrivateKey decrypt_keystore(std::string_view json_text, std::string_view password);

// Encrypts `key` as a keystore v3 document with scrypt (n = 2^scrypt_log2_n, r 8, p 1),
// fresh random salt, IV and UUID. Thread-safe.
std::string encrypt_keystore(const PrivateKey& key, std::string_view password,
                             unsigned scrypt_log2_n = 18);

}  // namespace codex::eth
