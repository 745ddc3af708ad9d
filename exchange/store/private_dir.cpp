#include "exchange/store/private_dir.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "exchange/error.h"

namespace codex::store {

void prepare_private_dir(const std::filesystem::path& dir) {
  struct stat st;
  if (::stat(dir.c_str(), &st) != 0) {
    if (errno != ENOENT)
      throw StoreError("data dir: cannot stat " + dir.string() + ": " + std::strerror(errno));
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) throw StoreError("data dir: cannot create " + dir.string() + ": " + ec.message());
    if (::chmod(dir.c_str(), 0700) != 0 || ::stat(dir.c_str(), &st) != 0)
      throw StoreError("data dir: cannot set mode 0700 on " + dir.string());
  }
  if (!S_ISDIR(st.st_mode)) throw StoreError("data dir: " + dir.string() + " is not a directory");
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    throw StoreError("data dir: " + dir.string() + " has mode " + mode +
                     "; it must not be accessible by group or others (chmod 700)");
  }
}

void sync_dir(const std::filesystem::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    throw StoreError("data dir: cannot open " + dir.string() + ": " + std::strerror(errno));
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0)
    throw StoreError("data dir: cannot sync " + dir.string() + ": " + std::strerror(err));
}

}  // namespace codex::store
