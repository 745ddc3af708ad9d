#pragma once
// Folders that hold a node's data: the data directory and the store's block
// folder are private to the user that runs the node.
#include <filesystem>

namespace codex::store {

// Creates dir (and missing parents) with mode 0700, or checks that the
// existing dir is a directory that group and others cannot access. Throws
// StoreError naming the folder and, for a wrong mode, the chmod to run.
void prepare_private_dir(const std::filesystem::path& dir);

// Makes dir's entries (files created, renamed or removed in it) durable.
// Throws StoreError.
void sync_dir(const std::filesystem::path& dir);

}  // namespace codex::store
