#include "agent/devnet/small_disk.h"

#include <linux/magic.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>

#include <chrono>
#include <thread>

namespace codex::devnet {
namespace fs = std::filesystem;

namespace {

constexpr const char* kNsenter = "/usr/bin/nsenter";

bool is_tmpfs(const fs::path& p) {
  struct statfs s {};
  return ::statfs(p.c_str(), &s) == 0 && s.f_type == TMPFS_MAGIC;
}

}  // namespace

std::unique_ptr<SmallDisk> SmallDisk::create(const fs::path& dir, uint64_t bytes,
                                             const fs::path& log, std::string& why) {
  const fs::path unshare = "/usr/bin/unshare";
  if (!fs::exists(unshare) || !fs::exists(kNsenter)) {
    why = "no " + unshare.string() + " or " + kNsenter + " (util-linux)";
    return nullptr;
  }
  const fs::path where = fs::absolute(dir);
  fs::create_directories(where);
  // sh's $0 is the directory; the holder then sleeps, keeping the namespace.
  auto holder = std::make_unique<ChildProcess>(
      std::vector<std::string>{unshare.string(), "--user", "--map-root-user", "--mount", "sh", "-c",
                               "mount -t tmpfs -o size=" + std::to_string(bytes) +
                                   ",mode=0700 tmpfs \"$0\" && exec sleep 2147483647",
                               where.string()},
      log);
  const fs::path path =
      fs::path("/proc") / std::to_string(holder->pid()) / "root" / where.relative_path();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    if (const auto st = holder->exited()) {
      why = "the tmpfs could not be mounted in a user namespace (" + describe_status(*st) +
            "; see " + log.string() + ")";
      return nullptr;
    }
    if (is_tmpfs(path))
      return std::unique_ptr<SmallDisk>(new SmallDisk(std::move(holder), where, path, bytes));
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  why = "the tmpfs did not appear at " + path.string() + " within 10 s";
  return nullptr;
}

SmallDisk::~SmallDisk() {
  holder_->stop(std::chrono::seconds(2));
}

std::vector<std::string> SmallDisk::enter() const {
  return {kNsenter, "--target", std::to_string(holder_->pid()),
          "--user", "--mount",  "--preserve-credentials",
          "--"};
}

void SmallDisk::copy_to(const fs::path& dest) const {
  fs::remove_all(dest);
  fs::copy(path_, dest, fs::copy_options::recursive | fs::copy_options::copy_symlinks);
}

uint64_t SmallDisk::free_bytes() const {
  struct statvfs s {};
  if (::statvfs(path_.c_str(), &s) != 0) return 0;
  return uint64_t(s.f_bavail) * s.f_frsize;
}

}  // namespace codex::devnet
