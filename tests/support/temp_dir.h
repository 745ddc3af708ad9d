#pragma once
// A fresh private directory under the system temp dir, removed with its
// contents when the object goes. Shared by every test area.
#include <stdlib.h>

#include <filesystem>
#include <stdexcept>
#include <string>

namespace codex::testing {

class TempDir {
 public:
  // `base`: where (default: the system temp dir).
  explicit TempDir(const std::string& prefix = "codex-test",
                   const std::filesystem::path& base = std::filesystem::temp_directory_path()) {
    std::string tmpl = (base / (prefix + ".XXXXXX")).string();
    if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed for " + tmpl);
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

}  // namespace codex::testing
