#pragma once
// Thin RAII wrappers over a SQLite connection and its prepared statements,
// used by the repo. Internal to exchange/store: sqlite3.h stays in the .cpp.
//
// Every failure throws StoreError carrying the SQL and SQLite's message.
// A Database or Statement is NOT thread-safe: one thread at a time (the repo
// guards each connection with a mutex or hands it out from a pool).
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace codex::store {

class Database {
 public:
  // Opens (creating if needed) the database file at path, read-write, with a
  // busy timeout so that a checkpoint never turns into a spurious error.
  explicit Database(const std::filesystem::path& path);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Runs one or more statements that return no rows we need.
  void exec(std::string_view sql);
  int64_t changes() const;
  int64_t last_insert_rowid() const;
  sqlite3* handle() const { return db_; }

 private:
  sqlite3* db_ = nullptr;
};

class Statement {
 public:
  Statement(Database& db, std::string_view sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Parameters are 1-based, as in SQLite. Blob/text views must stay valid
  // until the statement is reset (they are bound without copying).
  Statement& bind(int index, int64_t value);
  Statement& bind_blob(int index, std::string_view bytes);
  Statement& bind_blob(int index, const void* data, size_t size);
  Statement& bind_null(int index);

  // Advances: true when a row is available, false when done.
  bool step();
  // Runs a statement that returns no rows, then resets it.
  void run();

  int64_t column_int(int col) const;
  bool column_is_null(int col) const;
  // Valid until the next step() or reset().
  std::string_view column_blob(int col) const;

  // Ends the current execution and clears the bindings. Must be called (or
  // use Reset) before a read statement is abandoned so that it does not keep
  // an old snapshot open.
  void reset();

 private:
  Database* db_;
  sqlite3_stmt* stmt_ = nullptr;
  std::string sql_;
};

// Resets a statement when the scope ends, whatever happens.
class Reset {
 public:
  explicit Reset(Statement& s) : s_(s) {}
  ~Reset() { s_.reset(); }
  Reset(const Reset&) = delete;
  Reset& operator=(const Reset&) = delete;

 private:
  Statement& s_;
};

}  // namespace codex::store
