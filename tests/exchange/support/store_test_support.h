#pragma once
// Helpers shared by the block-store tests: a private temporary directory,
// random block contents, and a store opened as the node opens it.
#include <stdlib.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "exchange/multiformats/cid.h"
#include "exchange/multiformats/multicodec.h"
#include "exchange/store/data_dir.h"
#include "exchange/store/repo.h"
#include "exchange/store/repo_options.h"
#include "tests/support/temp_dir.h"

namespace codex::store::testing {

using Bytes = std::vector<uint8_t>;

inline Bytes random_bytes(std::mt19937_64& rng, size_t n) {
  Bytes b(n);
  for (auto& x : b)
    x = static_cast<uint8_t>(rng());
  return b;
}

inline Cid block_cid(const Bytes& b) {
  return Cid::sha256_of(multicodec::kBlock, b);
}

// A tree CID made of one repeated byte.
inline Cid tree_cid(uint8_t seed) {
  return Cid(multicodec::kRoot, Multihash(multicodec::kSha2_256, std::string(32, char(seed))));
}

inline std::string str(const Bytes& b) {
  return std::string(b.begin(), b.end());
}

// A fresh private directory (tests/support/temp_dir.h).
using codex::testing::TempDir;

// A data directory and the store on its database, as the node opens them;
// behaves as a pointer to the Repo. reset() closes the store, then the
// directory.
class TestStore {
 public:
  TestStore() = default;
  TestStore(std::unique_ptr<DataDir> data, std::unique_ptr<Repo> repo)
      : data_(std::move(data)), repo_(std::move(repo)) {}
  TestStore(TestStore&&) = default;
  TestStore& operator=(TestStore&& o) noexcept {
    reset();
    data_ = std::move(o.data_);
    repo_ = std::move(o.repo_);
    return *this;
  }
  ~TestStore() { reset(); }

  Repo* operator->() const { return repo_.get(); }
  Repo& operator*() const { return *repo_; }
  explicit operator bool() const { return repo_ != nullptr; }
  DataDir& data() const { return *data_; }
  base::sqlite::Database& db() const { return data_->database(); }
  void reset() {
    repo_.reset();
    data_.reset();
  }

 private:
  std::unique_ptr<DataDir> data_;
  std::unique_ptr<Repo> repo_;
};

// Opens data_dir and the store on it; options.dir, if empty, becomes
// data_dir/repo.
inline TestStore open_store(const std::filesystem::path& data_dir, RepoOptions options) {
  auto data = DataDir::open(data_dir);
  if (options.dir.empty()) options.dir = data->repo_dir();
  auto repo = Repo::open(data->database(), std::move(options));
  return TestStore(std::move(data), std::move(repo));
}

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
