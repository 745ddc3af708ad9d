#pragma once
// Shared by the multi-buffer SHA-256 kernels (sha256_x16_avx512.cpp,
// sha256_x8_avx2.cpp) and their dispatcher: the FIPS 180-4 constants and the
// final-block padding. Not part of the public API.
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "exchange/crypto/sha256.h"

namespace codex::sha256_detail {

// floor(p^(1/root) * 2^32) mod 2^32: the first 32 bits of the fractional part
// of the root of p, computed exactly as the largest x with x^root <= p*2^(32*root).
constexpr uint32_t frac_root_bits(uint32_t p, int root) {
  using u128 = unsigned __int128;
  const u128 target = u128(p) << (32 * root);
  uint64_t lo = 0, hi = uint64_t(1) << 36;  // p^(1/root) < 16 for the primes used
  while (lo < hi) {
    uint64_t mid = lo + (hi - lo + 1) / 2;
    u128 pow = 1;
    for (int i = 0; i < root; ++i)
      pow *= mid;
    if (pow <= target)
      lo = mid;
    else
      hi = mid - 1;
  }
  return uint32_t(lo);
}

template <size_t N>
constexpr std::array<uint32_t, N> first_primes() {
  std::array<uint32_t, N> p{};
  size_t n = 0;
  for (uint32_t c = 2; n < N; ++c) {
    bool prime = true;
    for (uint32_t d = 2; d * d <= c; ++d)
      prime = prime && c % d != 0;
    if (prime) p[n++] = c;
  }
  return p;
}

// FIPS 180-4 §4.2.2: K[t] from the cube roots of the first 64 primes.
inline constexpr std::array<uint32_t, 64> kK = [] {
  std::array<uint32_t, 64> k{};
  auto primes = first_primes<64>();
  for (size_t i = 0; i < 64; ++i)
    k[i] = frac_root_bits(primes[i], 3);
  return k;
}();

// FIPS 180-4 §5.3.3: H(0) from the square roots of the first 8 primes.
inline constexpr std::array<uint32_t, 8> kH0 = [] {
  std::array<uint32_t, 8> h{};
  auto primes = first_primes<8>();
  for (size_t i = 0; i < 8; ++i)
    h[i] = frac_root_bits(primes[i], 2);
  return h;
}();

static_assert(kK[0] == 0x428a2f98 && kK[63] == 0xc67178f2 && kH0[0] == 0x6a09e667);

// Writes the message's last len % 64 bytes plus the FIPS 180-4 §5.1.1 padding
// (0x80, zeros, 64-bit big-endian bit length) into tail; returns 1 or 2 blocks.
inline size_t pad_tail(const uint8_t* msg, size_t len, uint8_t tail[128]) {
  const size_t rem = len % 64;
  const size_t blocks = rem < 56 ? 1 : 2;
  if (rem) std::memcpy(tail, msg + (len - rem), rem);
  tail[rem] = 0x80;
  std::memset(tail + rem + 1, 0, blocks * 64 - rem - 9);
  const uint64_t bits = uint64_t(len) * 8;
  for (size_t i = 0; i < 8; ++i)
    tail[blocks * 64 - 1 - i] = uint8_t(bits >> (8 * i));
  return blocks;
}

// Big-endian output of lane `lane` from the state transposed as words[8][lanes].
inline void store_digest(const uint32_t* words, size_t lanes, size_t lane, Digest32& out) {
  for (size_t i = 0; i < 8; ++i) {
    uint32_t w = words[i * lanes + lane];
    out[4 * i] = uint8_t(w >> 24);
    out[4 * i + 1] = uint8_t(w >> 16);
    out[4 * i + 2] = uint8_t(w >> 8);
    out[4 * i + 3] = uint8_t(w);
  }
}

// The kernels: hash the `lanes` messages msg[0..lanes) of length len into
// out[0..lanes). Callers check CPU support first.
void sha256_x16_avx512(const uint8_t* const msg[16], size_t len, Digest32 out[16]);
void sha256_x8_avx2(const uint8_t* const msg[8], size_t len, Digest32 out[8]);

}  // namespace codex::sha256_detail
