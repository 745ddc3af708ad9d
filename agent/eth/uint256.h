// A fixed-width unsigned 256-bit integer for token amounts, fees and ABI words.
// Value type; all operations are pure and thread-safe.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace codex::eth {

class Uint256 {
 public:
  constexpr Uint256() = default;
  constexpr Uint256(uint64_t v) : limbs_{v, 0, 0, 0} {}  // NOLINT: implicit by design

  // Big-endian bytes, at most 32 (shorter input is left-padded with zeros).
  // Throws std::invalid_argument when longer than 32 bytes.
  static Uint256 from_be_bytes(std::span<const uint8_t> bytes);
  // Decimal digits, or hex with a "0x" prefix. Throws std::invalid_argument on bad
  // digits, empty input or a value that does not fit 256 bits.
  static Uint256 from_string(std::string_view text);

  std::array<uint8_t, 32> to_be_bytes() const;
  std::string to_dec() const;
  // JSON-RPC quantity form: "0x" + minimal hex ("0x0" for zero).
  std::string to_quantity() const;

  bool is_zero() const { return (limbs_[0] | limbs_[1] | limbs_[2] | limbs_[3]) == 0; }
  // Number of significant bits (0 for zero).
  unsigned bit_length() const;
  bool fits_u64() const { return (limbs_[1] | limbs_[2] | limbs_[3]) == 0; }
  // Low 64 bits; throws std::overflow_error if the value does not fit.
  uint64_t to_u64() const;
  uint64_t limb(int i) const { return limbs_[i]; }

  // Checked arithmetic: throw std::overflow_error on wrap-around or division by zero.
  friend Uint256 operator+(const Uint256& a, const Uint256& b);
  friend Uint256 operator-(const Uint256& a, const Uint256& b);
  friend Uint256 operator*(const Uint256& a, const Uint256& b);
  // Division by a 64-bit divisor; `rem` receives the remainder when non-null.
  Uint256 div_u64(uint64_t d, uint64_t* rem = nullptr) const;

  friend bool operator==(const Uint256& a, const Uint256& b) = default;
  friend std::strong_ordering operator<=>(const Uint256& a, const Uint256& b);

 private:
  std::array<uint64_t, 4> limbs_{};  // little-endian limbs
};

}  // namespace codex::eth
