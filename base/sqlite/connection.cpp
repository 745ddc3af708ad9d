#include "base/sqlite/connection.h"

#include <sqlite3.h>

#include "base/error.h"

namespace codex::base::sqlite {

Connection::Connection(const std::filesystem::path& path, int busy_timeout_ms) {
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
    std::string msg = "sqlite: cannot open " + path.string() + ": " +
                      (db_ ? sqlite3_errmsg(db_) : "out of memory");
    sqlite3_close(db_);
    db_ = nullptr;
    throw StorageError(msg);
  }
  sqlite3_busy_timeout(db_, busy_timeout_ms);
  sqlite3_extended_result_codes(db_, 1);
}

Connection::~Connection() {
  cache_.clear();  // statements first: close_v2 would otherwise linger
  sqlite3_close_v2(db_);
}

void Connection::exec(std::string_view sql) {
  std::string s(sql);
  char* err = nullptr;
  if (sqlite3_exec(db_, s.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg =
        std::string("sqlite: ") + (err ? err : sqlite3_errmsg(db_)) + " [" + s.substr(0, 120) + "]";
    sqlite3_free(err);
    throw StorageError(msg);
  }
}

Statement& Connection::cached(std::string_view sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end())
    it = cache_.emplace(std::string(sql), std::make_unique<Statement>(db_, sql)).first;
  else
    it->second->reset();
  return *it->second;
}

void Connection::reset_busy() {
  for (sqlite3_stmt* s = sqlite3_next_stmt(db_, nullptr); s; s = sqlite3_next_stmt(db_, s))
    if (sqlite3_stmt_busy(s)) sqlite3_reset(s);
}

int64_t Connection::changes() const {
  return sqlite3_changes64(db_);
}

int64_t Connection::last_insert_rowid() const {
  return sqlite3_last_insert_rowid(db_);
}

}  // namespace codex::base::sqlite
