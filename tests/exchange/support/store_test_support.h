#pragma once
// Helpers shared by the block-store tests: a private temporary directory and
// random block contents.
#include <stdlib.h>

#include <cstdint>
#include <filesystem>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "exchange/store/repo_options.h"

namespace codex::store::testing {

using Bytes = std::vector<uint8_t>;

inline Bytes random_bytes(std::mt19937_64& rng, size_t n) {
  Bytes b(n);
  for (auto& x : b)
    x = static_cast<uint8_t>(rng());
  return b;
}

// A fresh directory under the system temp dir, removed with its contents.
class TempDir {
 public:
  explicit TempDir(const std::string& prefix) {
    std::string tmpl = (std::filesystem::temp_directory_path() / (prefix + ".XXXXXX")).string();
    if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// Every block storage, for tests parameterised over them, and their names.
inline constexpr BlockStorage kAllBlockStorages[] = {BlockStorage::kFiles, BlockStorage::kSqlite,
                                                     BlockStorage::kPacks};
inline const char* block_storage_name(BlockStorage s) {
  switch (s) {
    case BlockStorage::kFiles:
      return "Files";
    case BlockStorage::kSqlite:
      return "Sqlite";
    case BlockStorage::kPacks:
      return "Packs";
  }
  return "Unknown";
}

}  // namespace codex::store::testing
