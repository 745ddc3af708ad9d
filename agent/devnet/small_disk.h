#pragma once
// A disk that fills up, for a stress run's full-disk fault: a tmpfs of a
// given size mounted on a directory in a mount namespace of its own (a user
// namespace lets an unprivileged user mount one), kept by a sleeping holder
// process. A node runs inside the holder's namespaces (enter()), so its files
// outlive the node killed and restarted; the run copies them out to read
// them (SQLite resolves /proc/<holder>/root's link and would miss the disk).
// When the holder goes, so does the disk.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "agent/devnet/child_process.h"

namespace codex::devnet {

class SmallDisk {
 public:
  // Mounts `bytes` on `dir` (created) in the holder's namespace; `log` takes
  // the holder's output. nullptr with `why` set when this machine does not
  // allow it (no user namespaces, no unshare).
  static std::unique_ptr<SmallDisk> create(const std::filesystem::path& dir, uint64_t bytes,
                                           const std::filesystem::path& log, std::string& why);
  ~SmallDisk();  // stops the holder: the disk and its files are gone
  SmallDisk(const SmallDisk&) = delete;
  SmallDisk& operator=(const SmallDisk&) = delete;

  // The directory the disk is mounted on, as a process inside sees it.
  const std::filesystem::path& mount_point() const { return mount_point_; }
  // The command line prefix that runs a program inside (nsenter …).
  std::vector<std::string> enter() const;
  // Copies the disk's files to `dest` (replaced), for a reader outside.
  void copy_to(const std::filesystem::path& dest) const;
  uint64_t size() const { return bytes_; }
  // Bytes free on it now.
  uint64_t free_bytes() const;

 private:
  SmallDisk(std::unique_ptr<ChildProcess> holder, std::filesystem::path mount_point,
            std::filesystem::path path, uint64_t bytes)
      : holder_(std::move(holder)),
        mount_point_(std::move(mount_point)),
        path_(std::move(path)),
        bytes_(bytes) {}

  std::unique_ptr<ChildProcess> holder_;
  std::filesystem::path mount_point_;
  std::filesystem::path path_;  // /proc/<holder>/root/<mount point>
  uint64_t bytes_;
};

}  // namespace codex::devnet
