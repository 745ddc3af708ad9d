// Test helpers shared by the prover tests that run programs (codex-prover,
// the pinned snarkjs) and read the files they write.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include "prover/circuit/storage_circuit.h"

namespace codex::prover::test_support {

inline const std::string kSnarkjs = std::string(CODEX_SOURCE_DIR) + "/node_modules/.bin/snarkjs";
inline const std::string kProverProgram = std::string(CODEX_BINARY_DIR) + "/prover/codex-prover";

struct ShellResult {
  int status;          // exit status, -1 if killed by a signal
  std::string output;  // stdout and stderr
};

// Runs cmd with /bin/sh and collects its output.
inline ShellResult run_shell(const std::string& cmd) {
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  if (p == nullptr) throw std::runtime_error("popen failed: " + cmd);
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0)
    out.append(buf, n);
  int st = pclose(p);
  return {WIFEXITED(st) ? WEXITSTATUS(st) : -1, out};
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

using Bytes = std::vector<uint8_t>;

inline Bytes load_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path);
  return Bytes(std::istreambuf_iterator<char>(in), {});
}

inline void save_bytes(const std::string& path, const Bytes& b) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(b.data()), std::streamsize(b.size()));
  if (!out) throw std::runtime_error("cannot write " + path);
}

// A fresh folder under the system temporary folder (one per process and
// prefix), removed with its contents.
class TempDir {
 public:
  explicit TempDir(const std::string& prefix)
      : dir_(std::filesystem::temp_directory_path() / (prefix + "-" + std::to_string(getpid()))) {
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string path(const std::string& name) const { return (dir_ / name).string(); }

 private:
  std::filesystem::path dir_;
};

// SampleAndProve(8, 2, 2, 5, 2): the tiny set of proofs.md §3.4.
inline circuit::StorageParams tiny_params() {
  circuit::StorageParams p;
  p.max_depth = 8;
  p.max_log2_nslots = 2;
  p.block_tree_depth = 2;
  p.n_field_elems_per_cell = 5;
  p.n_samples = 2;
  return p;
}

}  // namespace codex::prover::test_support
