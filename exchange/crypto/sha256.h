#pragma once
// SHA-256 through OpenSSL's EVP interface, which uses the CPU's SHA instructions.
#include <array>
#include <cstdint>
#include <memory>
#include <span>

namespace codex {

using Digest32 = std::array<uint8_t, 32>;

Digest32 sha256(std::span<const uint8_t> data);

// Incremental hashing. Not thread-safe; one per thread.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void update(std::span<const uint8_t> data);
  Digest32 finish();  // resets for reuse

 private:
  struct Ctx;
  std::unique_ptr<Ctx> ctx_;
};

}  // namespace codex
