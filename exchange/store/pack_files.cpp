#include "exchange/store/pack_files.h"

#include <fcntl.h>
#include <linux/falloc.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <system_error>

#include "base/strings.h"
#include "exchange/error.h"

namespace codex::store {
namespace {

constexpr std::string_view kSuffix = ".pack";
// Enough for every pack of a large store; beyond it the cache is dropped and
// refilled (descriptors in use stay open through their shared_ptr).
constexpr size_t kMaxCachedFds = 256;

[[noreturn]] void io_fail(std::string_view what, const std::filesystem::path& p, int err) {
  throw StoreError("pack files: " + std::string(what) + " " + p.string() + ": " +
                   std::strerror(err));
}

std::optional<int64_t> parse_name(std::string_view name) {
  if (name.size() <= kSuffix.size() || !name.ends_with(kSuffix)) return std::nullopt;
  name.remove_suffix(kSuffix.size());
  auto id = base::parse_decimal<int64_t>(name);
  if (!id || *id <= 0) return std::nullopt;
  return id;
}

}  // namespace

struct PackFiles::Handle {
  explicit Handle(int f) : fd(f) {}
  ~Handle() { ::close(fd); }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  int fd;
};

PackFiles::PackFiles(std::filesystem::path root) : root_(std::move(root)) {
  if (::mkdir(root_.c_str(), 0700) != 0 && errno != EEXIST) io_fail("mkdir", root_, errno);
}

PackFiles::~PackFiles() = default;

std::filesystem::path PackFiles::path_of(int64_t id) const {
  return root_ / (std::to_string(id) + std::string(kSuffix));
}

std::shared_ptr<PackFiles::Handle> PackFiles::handle(int64_t id, bool create) const {
  std::lock_guard lk(mu_);
  if (!create) {
    auto it = fds_.find(id);
    if (it != fds_.end()) return it->second;
  }
  std::filesystem::path p = path_of(id);
  int flags = O_RDWR | O_CLOEXEC | (create ? O_CREAT | O_TRUNC : 0);
  int fd = ::open(p.c_str(), flags, 0600);
  if (fd < 0) {
    if (errno == ENOENT && !create) return nullptr;
    io_fail(create ? "create" : "open", p, errno);
  }
  auto h = std::make_shared<Handle>(fd);
  if (fds_.size() >= kMaxCachedFds) fds_.clear();
  fds_[id] = h;
  return h;
}

void PackFiles::create(int64_t id) {
  handle(id, true);
}

void PackFiles::write(int64_t id, uint64_t offset, std::span<const uint8_t> bytes) {
  auto h = handle(id, false);
  if (!h) io_fail("write", path_of(id), ENOENT);
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::pwrite(h->fd, bytes.data() + done, bytes.size() - done,
                         static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) io_fail("write", path_of(id), n < 0 ? errno : EIO);
    done += static_cast<size_t>(n);
  }
}

bool PackFiles::read(int64_t id, uint64_t offset, std::span<uint8_t> dst) const {
  auto h = handle(id, false);
  if (!h) return false;
  size_t done = 0;
  while (done < dst.size()) {
    ssize_t n =
        ::pread(h->fd, dst.data() + done, dst.size() - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) io_fail("read", path_of(id), errno);
    if (n == 0)
      throw StoreError("pack files: " + path_of(id).string() + " ends at " +
                       std::to_string(offset + done) + ", before the block's end at " +
                       std::to_string(offset + dst.size()));
    done += static_cast<size_t>(n);
  }
  return true;
}

void PackFiles::sync(int64_t id) {
  auto h = handle(id, false);
  if (!h) io_fail("sync", path_of(id), ENOENT);
  if (::fdatasync(h->fd) != 0) io_fail("fdatasync", path_of(id), errno);
}

void PackFiles::start_writeback(int64_t id, uint64_t offset, uint64_t len) const {
  if (auto h = handle(id, false))
    (void)::sync_file_range(h->fd, static_cast<off_t>(offset), static_cast<off_t>(len),
                            SYNC_FILE_RANGE_WRITE);
}

void PackFiles::wait_writeback(int64_t id, uint64_t offset, uint64_t len) const {
  if (auto h = handle(id, false))
    (void)::sync_file_range(
        h->fd, static_cast<off_t>(offset), static_cast<off_t>(len),
        SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER);
}

void PackFiles::sync_dir() const {
  int fd = ::open(root_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) io_fail("open", root_, errno);
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) io_fail("fsync", root_, err);
}

void PackFiles::truncate(int64_t id, uint64_t size) {
  auto h = handle(id, false);
  if (!h) io_fail("truncate", path_of(id), ENOENT);
  if (::ftruncate(h->fd, static_cast<off_t>(size)) != 0) io_fail("truncate", path_of(id), errno);
}

bool PackFiles::punch(int64_t id, uint64_t offset, uint64_t len) {
  auto h = handle(id, false);
  if (!h || len == 0) return false;
  return ::fallocate(h->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, static_cast<off_t>(offset),
                     static_cast<off_t>(len)) == 0;
}

std::optional<uint64_t> PackFiles::allocated(int64_t id) const {
  struct stat st;
  if (::stat(path_of(id).c_str(), &st) != 0) {
    if (errno == ENOENT) return std::nullopt;
    io_fail("stat", path_of(id), errno);
  }
  return static_cast<uint64_t>(st.st_blocks) * 512;
}

void PackFiles::remove(int64_t id) {
  // Under the lock: a reader cannot re-open (and cache) the file in between.
  std::lock_guard lk(mu_);
  std::filesystem::path p = path_of(id);
  if (::unlink(p.c_str()) != 0 && errno != ENOENT) io_fail("unlink", p, errno);
  fds_.erase(id);
}

std::optional<uint64_t> PackFiles::file_size(int64_t id) const {
  struct stat st;
  if (::stat(path_of(id).c_str(), &st) != 0) {
    if (errno == ENOENT) return std::nullopt;
    io_fail("stat", path_of(id), errno);
  }
  return static_cast<uint64_t>(st.st_size);
}

size_t PackFiles::sweep(const std::function<bool(std::optional<int64_t>)>& visit) {
  size_t removed = 0;
  std::error_code ec;
  for (auto it = std::filesystem::directory_iterator(root_, ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    std::optional<int64_t> id = parse_name(it->path().filename().string());
    if (id && path_of(*id) != it->path()) id.reset();  // e.g. leading zeros: not ours
    if (visit(id)) continue;
    if (id) {
      remove(*id);
    } else if (::unlink(it->path().c_str()) != 0 && errno != ENOENT) {
      io_fail("unlink", it->path(), errno);
    }
    ++removed;
  }
  if (ec) throw StoreError("pack files: cannot list " + root_.string() + ": " + ec.message());
  return removed;
}

}  // namespace codex::store
