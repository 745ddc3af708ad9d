#include "agent/market/model/revert.h"

#include <array>
#include <stdexcept>

#include "agent/market/market_error.h"

namespace codex::market::model {

void revert(const char* name) {
  throw Revert(name, "");
}

void revert(std::string name, const std::vector<eth::AbiValue>& args) {
  throw Revert(std::move(name), format_error_arguments(args));
}

void panic(uint64_t code) {
  throw Revert("Panic(" + Uint256(code).to_quantity() + ")", "");
}

uint64_t add64(uint64_t a, uint64_t b) {
  uint64_t r = 0;
  if (__builtin_add_overflow(a, b, &r)) panic(kPanicArithmetic);
  return r;
}

uint64_t sub64(uint64_t a, uint64_t b) {
  if (b > a) panic(kPanicArithmetic);
  return a - b;
}

uint64_t mul64(uint64_t a, uint64_t b) {
  uint64_t r = 0;
  if (__builtin_mul_overflow(a, b, &r)) panic(kPanicArithmetic);
  return r;
}

Uint256 mod256(const Uint256& a, const Uint256& b) {
  if (b.is_zero()) throw std::invalid_argument("mod256: division by zero");
  if (b.fits_u64()) {
    uint64_t rem = 0;
    a.div_u64(b.limb(0), &rem);
    return Uint256(rem);
  }
  // Binary long division over the bits of a; r < b stays below 2^256, and the
  // bit shifted out of r (when b > 2^255) is carried so r * 2 + bit is exact.
  std::array<uint64_t, 4> r{}, d{b.limb(0), b.limb(1), b.limb(2), b.limb(3)};
  auto geq = [](const std::array<uint64_t, 4>& x, const std::array<uint64_t, 4>& y) {
    for (int i = 3; i >= 0; --i)
      if (x[i] != y[i]) return x[i] > y[i];
    return true;
  };
  auto sub = [](std::array<uint64_t, 4>& x, const std::array<uint64_t, 4>& y) {
    unsigned __int128 borrow = 0;
    for (int i = 0; i < 4; ++i) {
      unsigned __int128 v = (unsigned __int128)x[i] - y[i] - borrow;
      x[i] = uint64_t(v);
      borrow = (v >> 64) ? 1 : 0;
    }
  };
  for (int bit = 255; bit >= 0; --bit) {
    uint64_t carry = r[3] >> 63;
    for (int i = 3; i > 0; --i)
      r[i] = r[i] << 1 | r[i - 1] >> 63;
    r[0] = r[0] << 1 | ((a.limb(bit / 64) >> (bit % 64)) & 1);
    if (carry || geq(r, d)) sub(r, d);  // with a carry, r + 2^256 - d < 2^256 wraps right
  }
  std::array<uint8_t, 32> be{};
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 8; ++j)
      be[31 - (i * 8 + j)] = uint8_t(r[i] >> (8 * j));
  return Uint256::from_be_bytes(be);
}

}  // namespace codex::market::model
