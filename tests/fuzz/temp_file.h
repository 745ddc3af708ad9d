// A file holding one fuzz input, for readers that take a path (.r1cs, .wtns,
// .zkey map their file). One per process, rewritten for every input, removed
// at exit.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

namespace codex::fuzz {

class TempFile {
 public:
  explicit TempFile(const char* suffix)
      : path_((std::filesystem::temp_directory_path() /
               ("codex-fuzz-" + std::to_string(::getpid()) + suffix))
                  .string()) {}
  ~TempFile() { std::remove(path_.c_str()); }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;

  const std::string& path() const { return path_; }

  // Replaces the file's content; aborts if it cannot (not the parser's fault).
  const std::string& write(const uint8_t* data, size_t size) {
    std::FILE* f = std::fopen(path_.c_str(), "wb");
    if (!f || (size && std::fwrite(data, 1, size, f) != size) || std::fclose(f) != 0) {
      std::perror(path_.c_str());
      std::abort();
    }
    return path_;
  }

 private:
  std::string path_;
};

}  // namespace codex::fuzz
