#pragma once
// Error families every layer shares. Layers throw these (or their own types
// derived from them) with a message that names what failed and why; the edges
// (REST, CLI, peers) map the family to a status.
#include <stdexcept>
#include <string>

namespace codex::base {

// Persistent storage failed: SQLite, the file system, a disk full.
class StorageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace codex::base
