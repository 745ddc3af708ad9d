#pragma once
// Errors of erasure coding (spec node.md §2). All derive from ErasureError so
// callers can catch the family; the REST layer maps ErasureParamsError and
// InsufficientBlocksError to 422 (spec §6.1).
#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace codex::erasure {

class ErasureError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// K and M break a rule of §2 / §6.1 (K ≥ 2, M ≥ 1, K ≥ M, K + M ≤ 256).
class ErasureParamsError : public ErasureError {
 public:
  using ErasureError::ErasureError;
};

// The dataset has fewer than K blocks; min_bytes = K · blockSize.
class InsufficientBlocksError : public ErasureError {
 public:
  InsufficientBlocksError(const std::string& what, uint64_t min_bytes)
      : ErasureError(what), min_bytes_(min_bytes) {}
  uint64_t min_bytes() const { return min_bytes_; }

 private:
  uint64_t min_bytes_;
};

// A step (codeword) lost more than M of its K + M blocks and cannot be decoded.
class TooManyLossesError : public ErasureError {
 public:
  TooManyLossesError(const std::string& what, uint64_t step, std::vector<uint64_t> lost)
      : ErasureError(what), step_(step), lost_(std::move(lost)) {}
  uint64_t step() const { return step_; }
  // Dataset indices of the lost blocks of that step.
  const std::vector<uint64_t>& lost_indices() const { return lost_; }

 private:
  uint64_t step_;
  std::vector<uint64_t> lost_;
};

// A rebuilt tree does not have the root the manifest promises (decoded data
// differs from the original, or a repair produced different parity).
class TreeMismatchError : public ErasureError {
 public:
  using ErasureError::ErasureError;
};

}  // namespace codex::erasure
