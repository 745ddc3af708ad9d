#pragma once
// Private key files: files that only their owner may read or write. Readers
// refuse a file that grants any permission to group or others (the error says
// to run chmod 600); writers create files with mode 0600, atomically (a
// temporary file renamed over the target), so a crash never leaves half a key.
//
// Thread-safety: the functions are thread-safe; concurrent writers of one
// path race (the last rename wins).
#include <cstddef>
#include <filesystem>
#include <span>
#include <stdexcept>

#include "exchange/crypto/secret_bytes.h"

namespace codex::crypto {

// A key file is missing, unreadable, too large, accessible by others, or
// cannot be written.
class KeyFileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The whole content of a private file of at most max_bytes. Throws
// KeyFileError naming the file and the problem (never the content).
SecretBytes read_key_file(const std::filesystem::path& file, size_t max_bytes = 4096);

// Writes `content` as a private file (mode 0600), replacing any file there.
// Throws KeyFileError.
void write_key_file(const std::filesystem::path& file, std::span<const uint8_t> content);

}  // namespace codex::crypto
