#include "exchange/multiformats/base58.h"

#include <array>
#include <vector>

#include "exchange/error.h"

namespace codex::base58 {
namespace {

constexpr std::string_view kAlphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

constexpr std::array<int8_t, 256> make_index() {
  std::array<int8_t, 256> t{};
  for (auto& v : t)
    v = -1;
  for (size_t i = 0; i < kAlphabet.size(); ++i)
    t[static_cast<uint8_t>(kAlphabet[i])] = int8_t(i);
  return t;
}
constexpr auto kIndex = make_index();

}  // namespace

std::string encode(std::span<const uint8_t> bytes) {
  size_t zeros = 0;
  while (zeros < bytes.size() && bytes[zeros] == 0)
    ++zeros;
  // log(256)/log(58) < 1.37
  std::vector<uint8_t> digits(bytes.size() * 137 / 100 + 1, 0);
  size_t len = 0;
  for (size_t i = zeros; i < bytes.size(); ++i) {
    uint32_t carry = bytes[i];
    size_t j = 0;
    for (; j < len || carry; ++j) {
      carry += uint32_t(digits[j]) << 8;
      digits[j] = carry % 58;
      carry /= 58;
    }
    len = j;
  }
  std::string out(zeros, '1');
  for (size_t i = 0; i < len; ++i)
    out.push_back(kAlphabet[digits[len - 1 - i]]);
  return out;
}

std::string decode(std::string_view text) {
  size_t zeros = 0;
  while (zeros < text.size() && text[zeros] == '1')
    ++zeros;
  std::vector<uint8_t> bytes(text.size() * 733 / 1000 + 1, 0);
  size_t len = 0;
  for (size_t i = zeros; i < text.size(); ++i) {
    int v = kIndex[static_cast<uint8_t>(text[i])];
    if (v < 0) throw FormatError("base58: invalid character at position " + std::to_string(i));
    uint32_t carry = uint32_t(v);
    size_t j = 0;
    for (; j < len || carry; ++j) {
      carry += uint32_t(bytes[j]) * 58;
      bytes[j] = carry & 0xff;
      carry >>= 8;
    }
    len = j;
  }
  std::string out(zeros, '\0');
  for (size_t i = 0; i < len; ++i)
    out.push_back(static_cast<char>(bytes[len - 1 - i]));
  return out;
}

}  // namespace codex::base58
