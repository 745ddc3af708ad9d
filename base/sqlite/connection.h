#pragma once
// One SQLite connection (RAII) with a cache of prepared statements. Not
// thread-safe: a connection is used by one thread at a time (Database hands
// the writer to one WriteTxn and each read connection to one ReadLease).
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "base/sqlite/statement.h"

struct sqlite3;

namespace codex::base::sqlite {

class Connection {
 public:
  // Opens (creating if needed) the database file read-write, with a busy
  // timeout so that a checkpoint never turns into a spurious error. Throws
  // base::StorageError.
  Connection(const std::filesystem::path& path, int busy_timeout_ms);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs one or more statements that return no rows we need.
  void exec(std::string_view sql);
  // The statement for sql, prepared once per connection and reused; it comes
  // back reset with no bindings. Do not hold two uses of one SQL text at once.
  Statement& cached(std::string_view sql);
  // Resets every statement of this connection still in the middle of a run
  // (read snapshots are released; called when a lease or transaction ends).
  void reset_busy();

  int64_t changes() const;
  int64_t last_insert_rowid() const;
  sqlite3* handle() const { return db_; }

 private:
  // Looked up by string_view without allocating (transparent hash).
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };
  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, std::unique_ptr<Statement>, Hash, std::equal_to<>> cache_;
};

}  // namespace codex::base::sqlite
