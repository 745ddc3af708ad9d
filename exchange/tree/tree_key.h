#pragma once
// Keys of the keyed-compression binary tree shared by the SHA-256 and Poseidon2
// trees (spec node.md §1.5).
#include <cstdint>

namespace codex {

enum class TreeKey : uint8_t {
  kNone = 0,
  kBottomLayer = 1,
  kOdd = 2,
  kOddAndBottomLayer = 3,
};

}  // namespace codex
