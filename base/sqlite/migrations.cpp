#include "base/sqlite/migrations.h"

#include <stdexcept>

#include "base/error.h"

namespace codex::base::sqlite {
namespace {

constexpr std::string_view kTable =
    "CREATE TABLE IF NOT EXISTS schema_versions ("
    " component TEXT PRIMARY KEY, version INTEGER NOT NULL)";

bool table_exists(Connection& c) {
  auto& s =
      c.cached("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_versions'");
  Reset r(s);
  return s.step();
}

}  // namespace

int schema_version(Connection& c, std::string_view component) {
  if (!table_exists(c)) return 0;
  auto& s = c.cached("SELECT version FROM schema_versions WHERE component = ?");
  Reset r(s);
  s.bind(1, component);
  return s.step() ? int(s.int64(0)) : 0;
}

int migrate(WriteTxn& txn, std::string_view component, std::span<const Migration> migrations) {
  for (size_t i = 0; i < migrations.size(); ++i)
    if (migrations[i].version != int(i) + 1)
      throw std::logic_error("sqlite: migrations of " + std::string(component) +
                             " must be numbered 1, 2, ...");
  txn.exec(kTable);
  const int known = int(migrations.size());
  const int at = schema_version(txn.conn(), component);
  if (at > known)
    throw StorageError("sqlite: " + txn.database().path().string() + " holds " +
                       std::string(component) + " schema version " + std::to_string(at) +
                       ", newer than this build knows (" + std::to_string(known) +
                       "); use a newer codex-agent or another data directory");
  for (int v = at + 1; v <= known; ++v) {
    const Migration& m = migrations[size_t(v) - 1];
    try {
      if (!m.sql.empty()) txn.exec(m.sql);
      if (m.code) m.code(txn);
    } catch (const std::exception& e) {
      throw StorageError("sqlite: migration " + std::string(component) + " v" + std::to_string(v) +
                         " failed: " + e.what());
    }
  }
  if (known != at) {
    auto& s = txn.cached(
        "INSERT INTO schema_versions(component, version) VALUES(?, ?) "
        "ON CONFLICT(component) DO UPDATE SET version = excluded.version");
    s.bind(1, component).bind(2, int64_t(known)).run();
  }
  return at;
}

}  // namespace codex::base::sqlite
