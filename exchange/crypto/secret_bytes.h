#pragma once
// A buffer for secret bytes (key material, key file contents): zeroed when
// destroyed or moved from, never copied implicitly, never printed.
// Thread-compatible.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace codex::crypto {

class SecretBytes {
 public:
  SecretBytes() = default;
  explicit SecretBytes(size_t n) : bytes_(n) {}
  ~SecretBytes() { wipe(); }
  SecretBytes(SecretBytes&& o) noexcept : bytes_(std::move(o.bytes_)) { o.bytes_.clear(); }
  SecretBytes& operator=(SecretBytes&& o) noexcept {
    if (this != &o) {
      wipe();
      bytes_ = std::move(o.bytes_);
      o.bytes_.clear();
    }
    return *this;
  }
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;

  uint8_t* data() { return bytes_.data(); }
  const uint8_t* data() const { return bytes_.data(); }
  size_t size() const { return bytes_.size(); }
  std::span<uint8_t> span() { return bytes_; }
  std::span<const uint8_t> span() const { return bytes_; }

  // Zeroes the bytes (a write the compiler may not drop), keeping the size.
  void wipe();

 private:
  std::vector<uint8_t> bytes_;
};

}  // namespace codex::crypto
