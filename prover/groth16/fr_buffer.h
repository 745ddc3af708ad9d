// FrBuffer: n field elements, 64-byte aligned (each element within one cache
// line) and left uninitialised, so the threads that first write them also
// fault their pages in (a std::vector would zero them on one thread first).
// Fr is an implicit-lifetime type (trivial copy, trivial destructor), so the
// allocation creates the objects. Move-only; thread-compatible.
#pragma once

#include <cstddef>
#include <new>
#include <span>
#include <utility>

#include "prover/field/bn254.h"

namespace codex::prover::groth16 {

class FrBuffer {
 public:
  FrBuffer() = default;
  explicit FrBuffer(size_t n)
      : data_(n == 0 ? nullptr : static_cast<Fr*>(::operator new(n * sizeof(Fr), kAlign))),
        size_(n) {}
  FrBuffer(FrBuffer&& o) noexcept
      : data_(std::exchange(o.data_, nullptr)), size_(std::exchange(o.size_, 0)) {}
  FrBuffer& operator=(FrBuffer&& o) noexcept {
    std::swap(data_, o.data_);
    std::swap(size_, o.size_);
    return *this;
  }
  FrBuffer(const FrBuffer&) = delete;
  FrBuffer& operator=(const FrBuffer&) = delete;
  ~FrBuffer() { release(); }

  // Frees the memory now; the buffer becomes empty.
  void release() {
    if (data_ != nullptr) ::operator delete(data_, kAlign);
    data_ = nullptr;
    size_ = 0;
  }
  size_t size() const { return size_; }
  Fr* data() { return data_; }
  Fr& operator[](size_t i) { return data_[i]; }
  const Fr& operator[](size_t i) const { return data_[i]; }
  std::span<Fr> span() { return {data_, size_}; }
  std::span<const Fr> span() const { return {data_, size_}; }

 private:
  static constexpr std::align_val_t kAlign{64};
  Fr* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace codex::prover::groth16
