#include "exchange/crypto/key_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace codex::crypto {
namespace {

std::string failure(const std::filesystem::path& file, const std::string& what) {
  return "key file " + file.string() + ": " + what;
}

std::string errno_text() {
  return std::strerror(errno);
}

// Closes a descriptor on every path out.
struct Fd {
  int fd;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

SecretBytes read_key_file(const std::filesystem::path& file, size_t max_bytes) {
  Fd f{::open(file.c_str(), O_RDONLY | O_CLOEXEC)};
  if (f.fd < 0) throw KeyFileError(failure(file, "cannot open (" + errno_text() + ")"));
  // The permissions of the file actually opened, not of whatever the path
  // names a moment later.
  struct stat st {};
  if (::fstat(f.fd, &st) != 0) throw KeyFileError(failure(file, "cannot stat"));
  if (!S_ISREG(st.st_mode)) throw KeyFileError(failure(file, "not a regular file"));
  if (st.st_mode & (S_IRWXG | S_IRWXO))
    throw KeyFileError(failure(file, "accessible by group or others; run chmod 600 on it"));
  if (st.st_size < 0 || size_t(st.st_size) > max_bytes)
    throw KeyFileError(failure(file, "larger than " + std::to_string(max_bytes) + " bytes"));
  SecretBytes content(size_t(st.st_size));
  size_t got = 0;
  while (got < content.size()) {
    ssize_t r = ::read(f.fd, content.data() + got, content.size() - got);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) throw KeyFileError(failure(file, "read failed"));
    got += size_t(r);
  }
  return content;
}

void write_key_file(const std::filesystem::path& file, std::span<const uint8_t> content) {
  std::filesystem::path tmp = file;
  tmp += ".tmp";
  {
    Fd f{::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600)};
    if (f.fd < 0) throw KeyFileError(failure(tmp, "cannot create (" + errno_text() + ")"));
    // O_CREAT's mode does not apply to a file that already existed.
    if (::fchmod(f.fd, 0600) != 0) throw KeyFileError(failure(tmp, "cannot chmod 600"));
    size_t put = 0;
    while (put < content.size()) {
      ssize_t w = ::write(f.fd, content.data() + put, content.size() - put);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) throw KeyFileError(failure(tmp, "write failed (" + errno_text() + ")"));
      put += size_t(w);
    }
    if (::fsync(f.fd) != 0) throw KeyFileError(failure(tmp, "fsync failed"));
  }
  std::error_code ec;
  std::filesystem::rename(tmp, file, ec);
  if (ec) throw KeyFileError(failure(file, "cannot rename into place (" + ec.message() + ")"));
}

}  // namespace codex::crypto
