#pragma once
// Error families every layer shares. Layers throw these (or their own types
// derived from them) with a message that names what failed and why; the edges
// (REST, CLI, peers) map the family to a status.
#include <stdexcept>
#include <string>

namespace codex::base {

// Malformed or out-of-range input from outside the program or from a caller:
// text that does not parse (hex, numbers, JSON, files), wrong lengths,
// inconsistent sizes or counts, indices out of range. The message names the
// offending value unless the value is a secret. A std::invalid_argument, as
// the standard library's own parsers throw.
class InvalidInput : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// Something asked for is not here: a block, a manifest, a file, a record.
class NotFound : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Persistent storage failed: SQLite, the file system, a disk full.
class StorageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace codex::base
