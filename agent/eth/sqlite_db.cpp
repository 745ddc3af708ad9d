#include "agent/eth/sqlite_db.h"

namespace codex::eth {
namespace {

[[noreturn]] void fail(sqlite3* db, const std::string& what) {
  throw DbError("sqlite: " + what + ": " + (db ? sqlite3_errmsg(db) : "no connection"));
}

}  // namespace

Database::Database(const std::string& path) {
  if (sqlite3_open_v2(path.c_str(), &db_,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                      nullptr) != SQLITE_OK) {
    std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    throw DbError("sqlite: open " + path + ": " + msg);
  }
  sqlite3_busy_timeout(db_, 5000);
  exec(db_, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;");
}

Database::~Database() {
  sqlite3_close_v2(db_);
}

void exec(sqlite3* db, const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "?";
    sqlite3_free(err);
    throw DbError("sqlite: exec '" + std::string(sql).substr(0, 80) + "': " + msg);
  }
}

Statement::Statement(sqlite3* db, const char* sql) : db_(db) {
  if (sqlite3_prepare_v2(db, sql, -1, &st_, nullptr) != SQLITE_OK)
    fail(db, "prepare '" + std::string(sql).substr(0, 80) + "'");
}

Statement::~Statement() {
  sqlite3_finalize(st_);
}

Statement& Statement::bind(int i, int64_t v) {
  if (sqlite3_bind_int64(st_, i, v) != SQLITE_OK) fail(db_, "bind");
  return *this;
}

Statement& Statement::bind(int i, const std::string& v) {
  if (sqlite3_bind_text(st_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT) !=
      SQLITE_OK)
    fail(db_, "bind");
  return *this;
}

Statement& Statement::bind(int i, std::span<const uint8_t> v) {
  if (v.empty()) {  // a null pointer would bind SQL NULL, not an empty blob
    if (sqlite3_bind_zeroblob(st_, i, 0) != SQLITE_OK) fail(db_, "bind");
    return *this;
  }
  if (sqlite3_bind_blob(st_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT) !=
      SQLITE_OK)
    fail(db_, "bind");
  return *this;
}

Statement& Statement::bind_null(int i) {
  if (sqlite3_bind_null(st_, i) != SQLITE_OK) fail(db_, "bind");
  return *this;
}

bool Statement::step() {
  int rc = sqlite3_step(st_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  fail(db_, "step");
}

void Statement::run() {
  while (step()) {
  }
}

void Statement::reset() {
  sqlite3_reset(st_);
  sqlite3_clear_bindings(st_);
}

int64_t Statement::int64(int col) const {
  return sqlite3_column_int64(st_, col);
}

std::string Statement::text(int col) const {
  auto p = sqlite3_column_text(st_, col);
  return p ? std::string(reinterpret_cast<const char*>(p),
                         static_cast<size_t>(sqlite3_column_bytes(st_, col)))
           : "";
}

std::vector<uint8_t> Statement::blob(int col) const {
  auto p = static_cast<const uint8_t*>(sqlite3_column_blob(st_, col));
  return p ? std::vector<uint8_t>(p, p + sqlite3_column_bytes(st_, col)) : std::vector<uint8_t>{};
}

bool Statement::is_null(int col) const {
  return sqlite3_column_type(st_, col) == SQLITE_NULL;
}

Savepoint::Savepoint(sqlite3* db) : db_(db) {
  exec(db_, "SAVEPOINT eth_sp");
}

Savepoint::~Savepoint() {
  if (!done_) {
    try {
      exec(db_, "ROLLBACK TO eth_sp; RELEASE eth_sp");
    } catch (...) {
      // Destructor: nothing more to do; the connection reports the error next time.
    }
  }
}

void Savepoint::commit() {
  exec(db_, "RELEASE eth_sp");
  done_ = true;
}

}  // namespace codex::eth
