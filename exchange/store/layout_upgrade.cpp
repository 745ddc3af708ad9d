#include "exchange/store/layout_upgrade.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <string>

#include "base/sqlite/connection.h"
#include "exchange/error.h"
#include "exchange/store/data_dir.h"
#include "exchange/store/private_dir.h"

namespace codex::store {
namespace {

constexpr const char* kOldIndex = "repo.sqlite3";
constexpr const char* kOldLock = "LOCK";
constexpr std::string_view kTombstoneText =
    "\nThis data directory's database is ../codex.sqlite3 (one database per data directory).\n"
    "This file stops an older codex-agent, which kept the block index here, from opening\n"
    "the directory: it would not see the index and would delete the stored blocks.\n";

std::filesystem::path with_suffix(std::filesystem::path p, const char* suffix) {
  p += suffix;
  return p;
}

bool is_tombstone(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::string head(kTombstoneHeader.size(), '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  return in && head == kTombstoneHeader;
}

// Closes a descriptor when the scope ends.
struct Fd {
  int fd;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

void sync_file(const std::filesystem::path& p) {
  Fd f{::open(p.c_str(), O_RDONLY | O_CLOEXEC)};
  if (f.fd < 0 || ::fdatasync(f.fd) != 0)
    throw StoreError("data dir: cannot sync " + p.string() + ": " + std::strerror(errno));
}

void write_tombstone(const std::filesystem::path& repo, const std::filesystem::path& old) {
  std::filesystem::path tmp = with_suffix(old, ".tmp");
  {
    Fd f{::open(tmp.c_str(), O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0600)};
    std::string text = std::string(kTombstoneHeader) + std::string(kTombstoneText);
    if (f.fd < 0 || ::write(f.fd, text.data(), text.size()) != static_cast<ssize_t>(text.size()) ||
        ::fdatasync(f.fd) != 0)
      throw StoreError("data dir: cannot write " + tmp.string() + ": " + std::strerror(errno));
  }
  if (::rename(tmp.c_str(), old.c_str()) != 0)
    throw StoreError("data dir: cannot rename " + tmp.string() + ": " + std::strerror(errno));
  sync_dir(repo);
}

}  // namespace

std::filesystem::path old_index_path(const std::filesystem::path& dir) {
  return dir / DataDir::kRepoDir / kOldIndex;
}

bool upgrade_layout(const std::filesystem::path& dir, const UpgradeStepHook& before_step) {
  auto step = [&](std::string_view name) {
    if (before_step) before_step(name);
  };
  const std::filesystem::path repo = dir / DataDir::kRepoDir, old = old_index_path(dir),
                              now = dir / DataDir::kDatabaseName, lock = repo / kOldLock;
  bool moved = false;
  if (std::filesystem::exists(old) && !is_tombstone(old)) {
    if (std::filesystem::exists(now))
      throw StoreError("data dir: both " + old.string() +
                       " (the block index of an older codex-agent) and " + now.string() +
                       " exist, and the old one would be ignored. If " + now.string() +
                       " holds this node's data, remove " + old.string() + "; otherwise move " +
                       now.string() + " away and open the directory again to upgrade the old one");
    // An older codex-agent that has the directory open holds repo/LOCK.
    Fd held{::open(lock.c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0600)};
    if (held.fd < 0 || ::flock(held.fd, LOCK_EX | LOCK_NB) != 0)
      throw StoreError("data dir: " + dir.string() +
                       " is in use by another process (an older codex-agent holds " +
                       lock.string() + ")");
    step("checkpoint");
    try {
      base::sqlite::Connection c(old, 10'000);
      c.exec("PRAGMA journal_mode=DELETE");
    } catch (const StoreError& e) {
      throw StoreError("data dir: cannot upgrade the old block index " + old.string() + ": " +
                       e.what());
    }
    sync_file(old);
    step("move");
    if (::rename(old.c_str(), now.c_str()) != 0)
      throw StoreError("data dir: cannot move " + old.string() + " to " + now.string() + ": " +
                       std::strerror(errno));
    sync_dir(dir);
    sync_dir(repo);
    moved = true;
  }
  if (!std::filesystem::exists(old)) {
    step("tombstone");
    prepare_private_dir(repo);
    write_tombstone(repo, old);
  }
  step("tidy");
  ::unlink(with_suffix(old, "-shm").c_str());
  ::unlink(with_suffix(old, ".tmp").c_str());
  if (std::filesystem::exists(lock)) {
    // Only a lock no one holds: a process of an older build that has it
    // stops at the tombstone, and keeps its lock until it exits.
    Fd f{::open(lock.c_str(), O_RDWR | O_CLOEXEC)};
    if (f.fd >= 0 && ::flock(f.fd, LOCK_EX | LOCK_NB) == 0) ::unlink(lock.c_str());
  }
  return moved;
}

}  // namespace codex::store
