#include "base/sqlite/database.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <exception>
#include <stdexcept>

#include "base/error.h"

namespace codex::base::sqlite {

std::unique_ptr<Database> Database::open(const std::filesystem::path& path,
                                         DatabaseOptions options) {
  return std::unique_ptr<Database>(new Database(path, options));
}

Database::Database(std::filesystem::path path, DatabaseOptions options)
    : path_(std::move(path)), options_(options) {
  writer_ = std::make_unique<Connection>(path_, options_.busy_timeout_ms);
  try {
    writer_->exec(
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
        "PRAGMA cache_size=-" +
        std::to_string(options_.writer_cache_kib) +
        "; PRAGMA wal_autocheckpoint=" + std::to_string(options_.wal_autocheckpoint_pages) +
        "; PRAGMA journal_size_limit=" + std::to_string(options_.journal_size_limit) + ";");
    // Reads the schema now, so that a file that is not a database fails here.
    writer_->exec("SELECT count(*) FROM sqlite_master;");
  } catch (const StorageError& e) {
    throw StorageError("sqlite: cannot open " + path_.string() + ": " + e.what());
  }
}

Database::~Database() {
  std::lock_guard l(pool_mu_);
  idle_.clear();
  // writer_ closes last: a clean close checkpoints the WAL.
}

bool Database::in_write_txn() const {
  std::lock_guard l(owner_mu_);
  return writer_owner_ == std::this_thread::get_id();
}

WriteTxn Database::begin() {
  if (in_write_txn())
    throw std::logic_error("sqlite: a write transaction is already open on this thread (" +
                           path_.string() + ")");
  std::unique_lock lock(writer_mu_);
  // Prepared once: parsing BEGIN and COMMIT cost as much as a small write.
  writer_->cached("BEGIN IMMEDIATE").run();
  {
    std::lock_guard l(owner_mu_);
    writer_owner_ = std::this_thread::get_id();
  }
  return WriteTxn(*this, std::move(lock));
}

ReadLease Database::read() const {
  std::unique_ptr<Connection> c;
  {
    std::lock_guard l(pool_mu_);
    if (!idle_.empty()) {
      c = std::move(idle_.back());
      idle_.pop_back();
    }
  }
  if (!c) {
    c = std::make_unique<Connection>(path_, options_.busy_timeout_ms);
    c->exec("PRAGMA query_only=1; PRAGMA cache_size=-" + std::to_string(options_.reader_cache_kib) +
            ";");
  }
  return ReadLease(*this, std::move(c));
}

void Database::release_reader(std::unique_ptr<Connection> c) const {
  c->reset_busy();
  std::lock_guard l(pool_mu_);
  if (idle_.size() < options_.max_idle_readers) idle_.push_back(std::move(c));
}

void Database::sync_wal() const {
  std::filesystem::path wal = path_;
  wal += "-wal";
  int fd = ::open(wal.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return;  // checkpointed and removed: already in the database
    throw StorageError("sqlite: cannot open " + wal.string() + ": " + std::strerror(errno));
  }
  int rc = ::fdatasync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0)
    throw StorageError("sqlite: cannot sync " + wal.string() + ": " + std::strerror(err));
}

Claim Database::claim(std::string component) {
  std::lock_guard l(claims_mu_);
  if (!claims_.insert(component).second)
    throw std::logic_error("sqlite: " + component + " is already open on " + path_.string());
  return Claim(*this, std::move(component));
}

Claim::~Claim() {
  if (!db_) return;
  std::lock_guard l(db_->claims_mu_);
  db_->claims_.erase(name_);
}

ReadLease::~ReadLease() {
  if (conn_) db_->release_reader(std::move(conn_));
}

WriteTxn::WriteTxn(Database& db, std::unique_lock<std::mutex> lock)
    : db_(&db), lock_(std::move(lock)) {}

WriteTxn::WriteTxn(WriteTxn&& o) noexcept
    : db_(o.db_),
      lock_(std::move(o.lock_)),
      state_(o.state_),
      sync_(o.sync_),
      before_(std::move(o.before_)),
      after_(std::move(o.after_)),
      undo_(std::move(o.undo_)),
      release_(std::move(o.release_)),
      slots_(std::move(o.slots_)) {
  o.state_ = State::kRolledBack;  // the moved-from object owns nothing
}

WriteTxn::~WriteTxn() {
  if (state_ == State::kOpen) rollback();
}

void WriteTxn::before_commit(std::function<void()> fn) {
  before_.push_back(std::move(fn));
}
void WriteTxn::after_commit(std::function<void()> fn) {
  after_.push_back(std::move(fn));
}
void WriteTxn::after_rollback(std::function<void()> fn) {
  undo_.push_back(std::move(fn));
}
void WriteTxn::after_release(std::function<void()> fn) {
  release_.push_back(std::move(fn));
}

void WriteTxn::finish() noexcept {
  {
    std::lock_guard l(db_->owner_mu_);
    db_->writer_owner_ = std::thread::id();
  }
  before_.clear();
  after_.clear();
  undo_.clear();
  release_.clear();
  slots_.clear();
  if (lock_.owns_lock()) lock_.unlock();
}

void WriteTxn::commit() {
  if (state_ != State::kOpen) throw std::logic_error("sqlite: commit of a finished transaction");
  try {
    // A hook may register more hooks: index, not iterators.
    for (size_t i = 0; i < before_.size(); ++i)
      before_[i]();
    conn().reset_busy();
    conn().cached("COMMIT").run();
  } catch (...) {
    rollback();
    throw;
  }
  state_ = State::kCommitted;
  std::exception_ptr first;
  bool durable = true;
  try {
    if (sync_) db_->sync_wal();
  } catch (...) {
    first = std::current_exception();
    durable = false;
  }
  auto after = std::move(after_);
  for (auto& fn : after) {
    try {
      fn();
    } catch (...) {
      if (!first) first = std::current_exception();
    }
  }
  auto release = std::move(release_);
  finish();
  if (durable)
    for (auto& fn : release) {
      try {
        fn();
      } catch (...) {
        if (!first) first = std::current_exception();
      }
    }
  if (first) std::rethrow_exception(first);
}

void WriteTxn::rollback() noexcept {
  if (state_ != State::kOpen) return;
  state_ = State::kRolledBack;
  try {
    conn().reset_busy();
    conn().exec("ROLLBACK");
  } catch (...) {
    // No transaction was active (SQLite may already have rolled it back).
  }
  auto undo = std::move(undo_);
  for (auto& fn : undo) {
    try {
      fn();
    } catch (...) {
    }
  }
  finish();
}

Savepoint::Savepoint(Connection& c) : c_(c) {
  c_.exec("SAVEPOINT codex_sp");
}

Savepoint::~Savepoint() {
  if (done_) return;
  try {
    c_.exec("ROLLBACK TO codex_sp; RELEASE codex_sp;");
  } catch (...) {
  }
}

void Savepoint::release() {
  c_.exec("RELEASE codex_sp");
  done_ = true;
}

}  // namespace codex::base::sqlite
