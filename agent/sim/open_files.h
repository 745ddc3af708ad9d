#pragma once
// A simulated network keeps every node's database open in one process: six
// files per provider (the data directory's lock, the SQLite writer's and
// reader's database and WAL, the shared memory index). Ten thousand
// providers need some 60,000, above the soft limit of most systems.
#include <cstdint>
#include <string>

namespace codex::sim {

// Files a network of this size keeps open.
uint64_t open_files_needed(uint64_t providers, uint64_t validators);

// Raises this process's limit on open files to at least `need` (the soft
// limit up to the hard one; the hard one too where the process may). Throws
// std::runtime_error naming `what`, the need and the limit when it cannot.
void ensure_open_files(uint64_t need, const std::string& what);

}  // namespace codex::sim
