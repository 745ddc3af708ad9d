#include "exchange/store/block_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>
#include <utility>

#include "base/error.h"
#include "base/hex.h"
#include "exchange/error.h"

namespace codex::store {
namespace {

constexpr std::string_view kTempSuffix = ".tmp";

std::string hex(std::string_view bytes) {
  return base::to_hex({reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()}, false);
}

// The bytes of a file name this class wrote (lower-case hex), else nullopt.
std::optional<std::string> unhex(std::string_view name) {
  for (char c : name)
    if (c >= 'A' && c <= 'F') return std::nullopt;
  try {
    auto b = base::from_hex(name, base::HexPrefix::kNone);
    return std::string(b.begin(), b.end());
  } catch (const base::InvalidInput&) {
    return std::nullopt;
  }
}

[[noreturn]] void io_fail(std::string_view what, const std::filesystem::path& p, int err) {
  throw StoreError("block files: " + std::string(what) + " " + p.string() + ": " +
                   std::strerror(err));
}

// Closes a descriptor when the scope ends.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  Fd& operator=(Fd&& o) noexcept {
    std::swap(fd_, o.fd_);
    return *this;
  }
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

}  // namespace

BlockFiles::BlockFiles(std::filesystem::path root) : root_(std::move(root)) {
  // Shards are created on first use: a small store stays a small folder.
  if (::mkdir(root_.c_str(), 0700) != 0 && errno != EEXIST) io_fail("mkdir", root_, errno);
  root_fd_ = ::open(root_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (root_fd_ < 0) io_fail("open", root_, errno);
}

BlockFiles::~BlockFiles() {
  if (root_fd_ >= 0) ::close(root_fd_);
}

std::filesystem::path BlockFiles::path_of(const Cid& cid) const {
  const std::string& b = cid.bytes();
  unsigned char last = b.empty() ? 0 : static_cast<unsigned char>(b.back());
  return root_ / std::string{base::kHexDigits[last >> 4], base::kHexDigits[last & 15]} / hex(b);
}

// Writes all of bytes to a new file at path (created with flags); on failure
// the file is removed. Returns false (nothing created) if open fails with
// EEXIST and the caller asked for O_EXCL.
bool BlockFiles::create_file(const std::filesystem::path& path, int flags,
                             std::span<const uint8_t> bytes) const {
  Fd fd(::open(path.c_str(), flags, 0600));
  if (fd.get() < 0 && errno == ENOENT) {  // first block of this shard
    std::filesystem::path shard = path.parent_path();
    if (::mkdir(shard.c_str(), 0700) != 0 && errno != EEXIST) io_fail("mkdir", shard, errno);
    fd = Fd(::open(path.c_str(), flags, 0600));
  }
  if (fd.get() < 0) {
    if (errno == EEXIST && (flags & O_EXCL)) return false;
    io_fail("create", path, errno);
  }
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd.get(), bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int err = n < 0 ? errno : EIO;
      ::unlink(path.c_str());
      io_fail("write", path, err);
    }
    done += static_cast<size_t>(n);
  }
  if (::close(fd.release()) != 0) {
    int err = errno;
    ::unlink(path.c_str());
    io_fail("close", path, err);
  }
  return true;
}

void BlockFiles::write(const Cid& cid, std::span<const uint8_t> bytes) const {
  std::filesystem::path final_path = path_of(cid);
  // No file yet: write in place (one directory operation instead of two).
  if (create_file(final_path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, bytes)) return;
  // Replace an existing file atomically: readers see the old or the new one.
  std::filesystem::path tmp = final_path;
  tmp += kTempSuffix;
  create_file(tmp, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, bytes);
  if (::rename(tmp.c_str(), final_path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    io_fail("rename", final_path, err);
  }
}

bool BlockFiles::read(const Cid& cid, std::span<uint8_t> dst) const {
  std::filesystem::path p = path_of(cid);
  Fd fd(::open(p.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno == ENOENT) return false;
    io_fail("open", p, errno);
  }
  size_t done = 0;
  while (done < dst.size()) {
    ssize_t n = ::pread(fd.get(), dst.data() + done, dst.size() - done, static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) io_fail("read", p, errno);
    if (n == 0)
      throw StoreError("block files: " + p.string() + " is shorter than its indexed size");
    done += static_cast<size_t>(n);
  }
  // One more byte would mean the file is longer than the index says.
  char extra;
  ssize_t n = ::pread(fd.get(), &extra, 1, static_cast<off_t>(done));
  if (n > 0) throw StoreError("block files: " + p.string() + " is longer than its indexed size");
  return true;
}

bool BlockFiles::exists(const Cid& cid) const {
  struct stat st;
  return ::stat(path_of(cid).c_str(), &st) == 0;
}

void BlockFiles::remove(const Cid& cid) const {
  std::filesystem::path p = path_of(cid);
  if (::unlink(p.c_str()) != 0 && errno != ENOENT) io_fail("unlink", p, errno);
}

void BlockFiles::sync() const {
  if (::syncfs(root_fd_) != 0) io_fail("syncfs", root_, errno);
}

size_t BlockFiles::sweep(const std::function<bool(const std::optional<Cid>&)>& visit) const {
  size_t removed = 0;
  std::error_code ec;
  for (int i = 0; i < 256; ++i) {
    std::filesystem::path shard =
        root_ / std::string{base::kHexDigits[i >> 4], base::kHexDigits[i & 15]};
    struct stat st;
    if (::stat(shard.c_str(), &st) != 0) continue;  // never used
    for (auto it = std::filesystem::directory_iterator(shard, ec);
         !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
      std::string name = it->path().filename().string();
      std::optional<Cid> cid;
      if (auto raw = unhex(name)) {
        try {
          cid = Cid::from_bytes(std::string_view(*raw));
        } catch (const FormatError&) {
        }
      }
      // A file under the wrong shard is not one we wrote.
      if (cid && path_of(*cid) != it->path()) cid.reset();
      if (!visit(cid)) {
        if (::unlink(it->path().c_str()) != 0 && errno != ENOENT)
          io_fail("unlink", it->path(), errno);
        ++removed;
      }
    }
    if (ec) throw StoreError("block files: cannot list " + shard.string() + ": " + ec.message());
  }
  return removed;
}

}  // namespace codex::store
