#include "agent/eth/uint256.h"

#include <algorithm>
#include <stdexcept>

#include "base/hex.h"

namespace codex::eth {

using u128 = unsigned __int128;

Uint256 Uint256::from_be_bytes(std::span<const uint8_t> bytes) {
  if (bytes.size() > 32) throw std::invalid_argument("uint256: more than 32 bytes");
  Uint256 r;
  for (size_t i = 0; i < bytes.size(); ++i) {
    size_t pos = bytes.size() - 1 - i;  // byte significance
    r.limbs_[pos / 8] |= static_cast<uint64_t>(bytes[i]) << (8 * (pos % 8));
  }
  return r;
}

Uint256 Uint256::from_string(std::string_view text) {
  std::string_view t = text;
  int base = 10;
  if (t.size() >= 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X')) {
    base = 16;
    t.remove_prefix(2);
  }
  if (t.empty())
    throw std::invalid_argument("uint256: empty number '" + std::string(text.substr(0, 80)) + "'");
  Uint256 r;
  for (char c : t) {
    int d = codex::base::hex_digit_value(c);
    if (base == 10 && d > 9) d = -1;
    if (d < 0)
      throw std::invalid_argument("uint256: bad digit in '" + std::string(text.substr(0, 80)) +
                                  "'");
    try {
      r = r * Uint256(static_cast<uint64_t>(base)) + Uint256(static_cast<uint64_t>(d));
    } catch (const std::overflow_error&) {
      throw std::invalid_argument("uint256: value exceeds 256 bits: '" +
                                  std::string(text.substr(0, 80)) + "'");
    }
  }
  return r;
}

std::array<uint8_t, 32> Uint256::to_be_bytes() const {
  std::array<uint8_t, 32> out{};
  for (size_t pos = 0; pos < 32; ++pos)
    out[31 - pos] = static_cast<uint8_t>(limbs_[pos / 8] >> (8 * (pos % 8)));
  return out;
}

std::string Uint256::to_dec() const {
  if (is_zero()) return "0";
  std::string s;
  Uint256 v = *this;
  while (!v.is_zero()) {
    uint64_t rem = 0;
    v = v.div_u64(10, &rem);
    s.push_back(static_cast<char>('0' + rem));
  }
  std::reverse(s.begin(), s.end());
  return s;
}

std::string Uint256::to_quantity() const {
  if (is_zero()) return "0x0";
  std::string s;
  for (int i = 63; i >= 0; --i) {
    unsigned nib = static_cast<unsigned>(limbs_[i / 16] >> (4 * (i % 16))) & 15;
    if (s.empty() && nib == 0) continue;
    s.push_back(codex::base::kHexDigits[nib]);
  }
  return "0x" + s;
}

unsigned Uint256::bit_length() const {
  for (int i = 3; i >= 0; --i)
    if (limbs_[i]) return static_cast<unsigned>(64 * i + 64 - __builtin_clzll(limbs_[i]));
  return 0;
}

uint64_t Uint256::to_u64() const {
  if (!fits_u64()) throw std::overflow_error("uint256: value does not fit 64 bits: " + to_dec());
  return limbs_[0];
}

Uint256 operator+(const Uint256& a, const Uint256& b) {
  Uint256 r;
  u128 carry = 0;
  for (int i = 0; i < 4; ++i) {
    u128 s = static_cast<u128>(a.limbs_[i]) + b.limbs_[i] + carry;
    r.limbs_[i] = static_cast<uint64_t>(s);
    carry = s >> 64;
  }
  if (carry) throw std::overflow_error("uint256: addition overflow");
  return r;
}

Uint256 operator-(const Uint256& a, const Uint256& b) {
  if (a < b) throw std::overflow_error("uint256: subtraction underflow");
  Uint256 r;
  uint64_t borrow = 0;
  for (int i = 0; i < 4; ++i) {
    u128 d = static_cast<u128>(a.limbs_[i]) - b.limbs_[i] - borrow;
    r.limbs_[i] = static_cast<uint64_t>(d);
    borrow = static_cast<uint64_t>(d >> 64) & 1;
  }
  return r;
}

Uint256 operator*(const Uint256& a, const Uint256& b) {
  uint64_t wide[8] = {};
  for (int i = 0; i < 4; ++i) {
    u128 carry = 0;
    for (int j = 0; j < 4; ++j) {
      u128 t = static_cast<u128>(a.limbs_[i]) * b.limbs_[j] + wide[i + j] + carry;
      wide[i + j] = static_cast<uint64_t>(t);
      carry = t >> 64;
    }
    wide[i + 4] = static_cast<uint64_t>(carry);
  }
  if (wide[4] | wide[5] | wide[6] | wide[7])
    throw std::overflow_error("uint256: multiplication overflow");
  Uint256 r;
  for (int i = 0; i < 4; ++i)
    r.limbs_[i] = wide[i];
  return r;
}

Uint256 Uint256::div_u64(uint64_t d, uint64_t* rem) const {
  if (d == 0) throw std::overflow_error("uint256: division by zero");
  Uint256 q;
  u128 r = 0;
  for (int i = 3; i >= 0; --i) {
    u128 cur = (r << 64) | limbs_[i];
    q.limbs_[i] = static_cast<uint64_t>(cur / d);
    r = cur % d;
  }
  if (rem) *rem = static_cast<uint64_t>(r);
  return q;
}

std::strong_ordering operator<=>(const Uint256& a, const Uint256& b) {
  for (int i = 3; i >= 0; --i)
    if (a.limbs_[i] != b.limbs_[i]) return a.limbs_[i] <=> b.limbs_[i];
  return std::strong_ordering::equal;
}

}  // namespace codex::eth
