#include "base/sqlite/statement.h"

#include <sqlite3.h>

#include "base/error.h"

namespace codex::base::sqlite {
namespace {

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
  throw StorageError(msg);
}

}  // namespace

Statement::Statement(sqlite3* db, std::string_view sql) : db_(db), sql_(sql) {
  if (sqlite3_prepare_v3(db_, sql_.data(), int(sql_.size()), SQLITE_PREPARE_PERSISTENT, &stmt_,
                         nullptr) != SQLITE_OK)
    fail(db_, "prepare", sql_);
}

Statement::~Statement() {
  sqlite3_finalize(stmt_);
}

Statement& Statement::bind(int i, int64_t v) {
  if (sqlite3_bind_int64(stmt_, i, v) != SQLITE_OK) fail(db_, "bind", sql_);
  return *this;
}

Statement& Statement::bind(int i, std::string_view text) {
  if (sqlite3_bind_text64(stmt_, i, text.data(), text.size(), SQLITE_STATIC, SQLITE_UTF8) !=
      SQLITE_OK)
    fail(db_, "bind", sql_);
  return *this;
}

Statement& Statement::bind(int i, std::span<const uint8_t> bytes) {
  return bind_blob(i, bytes.data(), bytes.size());
}

Statement& Statement::bind_blob(int i, std::string_view bytes) {
  return bind_blob(i, bytes.data(), bytes.size());
}

Statement& Statement::bind_blob(int i, const void* data, size_t size) {
  // A zero-length blob must not bind as NULL: give SQLite a valid pointer.
  static const char kEmpty = 0;
  if (sqlite3_bind_blob64(stmt_, i, size ? data : &kEmpty, size, SQLITE_STATIC) != SQLITE_OK)
    fail(db_, "bind", sql_);
  return *this;
}

Statement& Statement::bind_null(int i) {
  if (sqlite3_bind_null(stmt_, i) != SQLITE_OK) fail(db_, "bind", sql_);
  return *this;
}

bool Statement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  std::string msg = sqlite3_errmsg(db_);
  sqlite3_reset(stmt_);
  throw StorageError("sqlite: step: " + msg + " [" + sql_.substr(0, 120) + "]");
}

void Statement::run() {
  Reset r(*this);
  while (step()) {
  }
}

void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

int64_t Statement::int64(int col) const {
  return sqlite3_column_int64(stmt_, col);
}

bool Statement::is_null(int col) const {
  return sqlite3_column_type(stmt_, col) == SQLITE_NULL;
}

std::string Statement::text(int col) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
  return p ? std::string(p, size_t(sqlite3_column_bytes(stmt_, col))) : std::string();
}

std::vector<uint8_t> Statement::blob(int col) const {
  auto v = blob_view(col);
  return std::vector<uint8_t>(v.begin(), v.end());
}

std::string_view Statement::blob_view(int col) const {
  const void* p = sqlite3_column_blob(stmt_, col);
  int n = sqlite3_column_bytes(stmt_, col);
  return p ? std::string_view(static_cast<const char*>(p), size_t(n)) : std::string_view();
}

}  // namespace codex::base::sqlite
