#pragma once
// A prepared SQLite statement (RAII). Not thread-safe: it belongs to one
// connection, used by one thread at a time. Every failure throws
// base::StorageError naming the SQL and SQLite's message.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace codex::base::sqlite {

class Statement {
 public:
  Statement(sqlite3* db, std::string_view sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Parameters are 1-based, as in SQLite. Text and blob views must stay valid
  // until the statement is reset (they are bound without copying).
  Statement& bind(int i, int64_t v);
  Statement& bind(int i, std::string_view text);  // TEXT
  Statement& bind(int i, const char* text) { return bind(i, std::string_view(text)); }
  Statement& bind(int i, std::span<const uint8_t> bytes);  // BLOB
  Statement& bind_blob(int i, std::string_view bytes);
  Statement& bind_blob(int i, const void* data, size_t size);
  Statement& bind_null(int i);

  // Advances: true when a row is available, false when done.
  bool step();
  // Runs a statement that returns no rows we need, then resets it.
  void run();
  // Ends the current execution and clears the bindings. A read statement left
  // unreset keeps its snapshot (and blocks WAL checkpoints): use Reset.
  void reset();

  int64_t int64(int col) const;
  bool is_null(int col) const;
  std::string text(int col) const;
  std::vector<uint8_t> blob(int col) const;
  // Valid until the next step() or reset().
  std::string_view blob_view(int col) const;

  const std::string& sql() const { return sql_; }

 private:
  sqlite3* db_;
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

}  // namespace codex::base::sqlite
