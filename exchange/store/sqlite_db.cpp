#include "exchange/store/sqlite_db.h"

#include <sqlite3.h>

#include "exchange/error.h"

namespace codex::store {
namespace {

// A checkpoint or a concurrent reader may hold a lock briefly; wait rather
// than fail.
constexpr int kBusyTimeoutMs = 10000;

[[noreturn]] void fail(sqlite3* db, std::string_view what, std::string_view sql) {
  std::string msg = "sqlite: ";
  msg += what;
  msg += ": ";
  msg += db ? sqlite3_errmsg(db) : "out of memory";
  if (!sql.empty()) {
    msg += " [";
    msg += sql.substr(0, 120);
    msg += "]";
  }
  throw StoreError(msg);
}

}  // namespace

Database::Database(const std::filesystem::path& path) {
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
    std::string msg = "sqlite: cannot open " + path.string() + ": " +
                      (db_ ? sqlite3_errmsg(db_) : "out of memory");
    sqlite3_close(db_);
    db_ = nullptr;
    throw StoreError(msg);
  }
  sqlite3_busy_timeout(db_, kBusyTimeoutMs);
  sqlite3_extended_result_codes(db_, 1);
}

Database::~Database() {
  sqlite3_close_v2(db_);
}

void Database::exec(std::string_view sql) {
  std::string s(sql);
  char* err = nullptr;
  if (sqlite3_exec(db_, s.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg =
        std::string("sqlite: ") + (err ? err : "error") + " [" + s.substr(0, 120) + "]";
    sqlite3_free(err);
    throw StoreError(msg);
  }
}

int64_t Database::changes() const {
  return sqlite3_changes64(db_);
}

int64_t Database::last_insert_rowid() const {
  return sqlite3_last_insert_rowid(db_);
}

Statement::Statement(Database& db, std::string_view sql) : db_(&db), sql_(sql) {
  if (sqlite3_prepare_v3(db.handle(), sql_.data(), static_cast<int>(sql_.size()),
                         SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr) != SQLITE_OK)
    fail(db.handle(), "prepare", sql_);
}

Statement::~Statement() {
  sqlite3_finalize(stmt_);
}

Statement& Statement::bind(int index, int64_t value) {
  if (sqlite3_bind_int64(stmt_, index, value) != SQLITE_OK) fail(db_->handle(), "bind", sql_);
  return *this;
}

Statement& Statement::bind_blob(int index, std::string_view bytes) {
  return bind_blob(index, bytes.data(), bytes.size());
}

Statement& Statement::bind_blob(int index, const void* data, size_t size) {
  // A zero-length blob must not bind as NULL: pass a non-null pointer.
  static const char kNothing = 0;
  if (sqlite3_bind_blob64(stmt_, index, size ? data : &kNothing, size, SQLITE_STATIC) != SQLITE_OK)
    fail(db_->handle(), "bind", sql_);
  return *this;
}

Statement& Statement::bind_null(int index) {
  if (sqlite3_bind_null(stmt_, index) != SQLITE_OK) fail(db_->handle(), "bind", sql_);
  return *this;
}

bool Statement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  fail(db_->handle(), "step", sql_);
}

void Statement::run() {
  Reset r(*this);
  while (step()) {
  }
}

int64_t Statement::column_int(int col) const {
  return sqlite3_column_int64(stmt_, col);
}

bool Statement::column_is_null(int col) const {
  return sqlite3_column_type(stmt_, col) == SQLITE_NULL;
}

std::string_view Statement::column_blob(int col) const {
  const void* p = sqlite3_column_blob(stmt_, col);
  int n = sqlite3_column_bytes(stmt_, col);
  return {static_cast<const char*>(p), static_cast<size_t>(n)};
}

void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

}  // namespace codex::store
