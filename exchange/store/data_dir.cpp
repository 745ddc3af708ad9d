#include "exchange/store/data_dir.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "exchange/error.h"
#include "exchange/store/private_dir.h"

namespace codex::store {

std::unique_ptr<DataDir> DataDir::open(std::filesystem::path dir, DataDirOptions options) {
  if (dir.empty()) throw StoreError("data dir: no directory given");
  if (!options.create && !std::filesystem::is_directory(dir))
    throw StoreError("data dir: " + dir.string() + " does not exist or is not a directory");
  prepare_private_dir(dir);
  std::filesystem::path lock_path = dir / kLockName;
  int fd = ::open(lock_path.c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0)
    throw StoreError("data dir: cannot open " + lock_path.string() + ": " + std::strerror(errno));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    throw StoreError("data dir: " + dir.string() + " is in use by another process");
  }
  std::unique_ptr<DataDir> d(new DataDir(std::move(dir), fd));  // owns fd from here
  d->upgraded_ = upgrade_layout(d->dir_, options.before_upgrade_step);
  d->db_ = base::sqlite::Database::open(d->dir_ / kDatabaseName, options.database);
  return d;
}

DataDir::DataDir(std::filesystem::path dir, int lock_fd)
    : dir_(std::move(dir)), lock_fd_(lock_fd) {}

DataDir::~DataDir() {
  db_.reset();  // closes (and checkpoints) the database before the lock goes
  ::close(lock_fd_);
}

}  // namespace codex::store
