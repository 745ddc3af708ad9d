// Minimal RAII helpers over SQLite for the chain layer's persistent state
// (transaction journal, log-watcher positions). One database per data directory,
// opened in WAL mode.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace codex::eth {

struct DbError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Owns a connection. Not thread-safe: use one per thread.
class Database {
 public:
  // Opens (creating if needed) `path`, enables WAL, foreign keys and a busy timeout.
  // Throws DbError.
  explicit Database(const std::string& path);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  sqlite3* handle() const { return db_; }

 private:
  sqlite3* db_ = nullptr;
};

// Runs one or more statements without results. Throws DbError with the SQL context.
void exec(sqlite3* db, const char* sql);

class Statement {
 public:
  Statement(sqlite3* db, const char* sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Bind by 1-based index; return *this for chaining.
  Statement& bind(int i, int64_t v);
  Statement& bind(int i, const std::string& v);
  Statement& bind(int i, std::span<const uint8_t> v);
  Statement& bind_null(int i);
  // Advances; true while a row is available. Throws DbError on failure.
  bool step();
  // Runs to completion (for statements without rows).
  void run();
  // Makes the statement runnable again with fresh bindings.
  void reset();

  int64_t int64(int col) const;
  std::string text(int col) const;
  std::vector<uint8_t> blob(int col) const;
  bool is_null(int col) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* st_ = nullptr;
};

// A savepoint: rolled back on destruction unless commit() was called. Nestable.
class Savepoint {
 public:
  explicit Savepoint(sqlite3* db);
  ~Savepoint();
  Savepoint(const Savepoint&) = delete;
  Savepoint& operator=(const Savepoint&) = delete;
  void commit();

 private:
  sqlite3* db_;
  bool done_ = false;
};

}  // namespace codex::eth
