#pragma once
// Versioned schemas. Each component (the store, the journal, the log watcher,
// each role) owns a list of migrations, numbered from 1; the database records
// the version each component is at (table schema_versions). migrate() runs the
// missing ones in order inside the caller's transaction, so a crash leaves
// either the old schema or the new one. A database written by a newer build
// (a version above the last migration) is refused with a clear message: it
// would be misread.
#include <functional>
#include <span>
#include <string>
#include <string_view>

#include "base/sqlite/database.h"

namespace codex::base::sqlite {

struct Migration {
  int version;  // 1, 2, ... in order, no gaps
  // The SQL to run (may hold several statements), or
  std::string_view sql;
  // code, for what SQL alone cannot do (run after sql when both are set).
  std::function<void(WriteTxn&)> code = nullptr;
};

// The version `component` is at (0 = none of its tables exist yet).
int schema_version(Connection& c, std::string_view component);

// Brings component to the last migration's version. Returns the version it
// was at. Throws base::StorageError if the database is at a newer version than
// this build knows, or a migration fails (the transaction then rolls back),
// std::logic_error for a list that is not numbered 1, 2, ...
int migrate(WriteTxn& txn, std::string_view component, std::span<const Migration> migrations);

}  // namespace codex::base::sqlite
