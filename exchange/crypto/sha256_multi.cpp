// Dispatch for multi-buffer SHA-256: picks the widest kernel the CPU runs and
// splits the messages into SIMD groups (see sha256_multi.h for the policy).
#include "exchange/crypto/sha256_multi.h"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "exchange/crypto/sha256_multi_internal.h"

namespace codex {
namespace {

using sha256_detail::sha256_x16_avx512;
using sha256_detail::sha256_x8_avx2;

// A SIMD group costs as much whether its lanes are busy or not, so a leftover
// group only pays off with enough busy lanes. Measured on the AVX-512 Xeon
// (bench/exchange_sha256_multi_bench.cpp, 64 KiB blocks): 16-lane ~6x and
// 8-lane ~3x OpenSSL's single-buffer speed, and one group of either kernel
// costs about 2.5 single-buffer hashes, so 3 busy lanes already win.
constexpr size_t kMinAvx512Lanes = 9;  // 8 or fewer fit the 8-lane kernel
constexpr size_t kMinAvx2Lanes = 3;

bool cpu_has_avx2() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2");
}

bool cpu_has_avx512() {
  // The 16-lane path hands small leftovers to the 8-lane kernel, so it needs AVX2 too.
  __builtin_cpu_init();
  return cpu_has_avx2() && __builtin_cpu_supports("avx512f") &&
         __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl");
}

void many_openssl(const uint8_t* data, size_t stride, size_t len, size_t count, Digest32* out) {
  for (size_t i = 0; i < count; ++i)
    out[i] = sha256({data + i * stride, len});
}

// Hashes n <= Lanes messages in one kernel call; idle lanes re-hash message 0
// (always readable) into scratch output.
template <size_t Lanes, void (*Kernel)(const uint8_t* const*, size_t, Digest32*)>
void one_group(const uint8_t* data, size_t stride, size_t len, size_t n, Digest32* out) {
  const uint8_t* msg[Lanes];
  for (size_t i = 0; i < Lanes; ++i)
    msg[i] = data + (i < n ? i * stride : 0);
  if (n == Lanes) {
    Kernel(msg, len, out);
  } else {
    Digest32 scratch[Lanes];
    Kernel(msg, len, scratch);
    std::copy_n(scratch, n, out);
  }
}

void many_avx2(const uint8_t* data, size_t stride, size_t len, size_t count, Digest32* out) {
  size_t i = 0;
  for (; count - i >= 8; i += 8)
    one_group<8, sha256_x8_avx2>(data + i * stride, stride, len, 8, out + i);
  const size_t rest = count - i;
  if (rest >= kMinAvx2Lanes)
    one_group<8, sha256_x8_avx2>(data + i * stride, stride, len, rest, out + i);
  else
    many_openssl(data + i * stride, stride, len, rest, out + i);
}

void many_avx512(const uint8_t* data, size_t stride, size_t len, size_t count, Digest32* out) {
  size_t i = 0;
  for (; count - i >= 16; i += 16)
    one_group<16, sha256_x16_avx512>(data + i * stride, stride, len, 16, out + i);
  const size_t rest = count - i;
  if (rest >= kMinAvx512Lanes)
    one_group<16, sha256_x16_avx512>(data + i * stride, stride, len, rest, out + i);
  else
    many_avx2(data + i * stride, stride, len, rest, out + i);
}

Sha256Kernel best_kernel() {
  static const Sha256Kernel best = cpu_has_avx512() ? Sha256Kernel::avx512x16
                                   : cpu_has_avx2() ? Sha256Kernel::avx2x8
                                                    : Sha256Kernel::openssl;
  return best;
}

}  // namespace

const char* sha256_kernel_name(Sha256Kernel kernel) {
  switch (kernel) {
    case Sha256Kernel::avx512x16:
      return "avx512x16";
    case Sha256Kernel::avx2x8:
      return "avx2x8";
    case Sha256Kernel::openssl:
      break;
  }
  return "openssl";
}

bool sha256_kernel_supported(Sha256Kernel kernel) {
  static const bool avx2 = cpu_has_avx2();
  static const bool avx512 = cpu_has_avx512();
  switch (kernel) {
    case Sha256Kernel::avx512x16:
      return avx512;
    case Sha256Kernel::avx2x8:
      return avx2;
    case Sha256Kernel::openssl:
      break;
  }
  return true;
}

void sha256_many_with(Sha256Kernel kernel, const uint8_t* data, size_t stride, size_t len,
                      size_t count, Digest32* out) {
  if (!sha256_kernel_supported(kernel))
    throw std::invalid_argument(std::string("sha256_many: CPU lacks kernel ") +
                                sha256_kernel_name(kernel));
  switch (kernel) {
    case Sha256Kernel::avx512x16:
      return many_avx512(data, stride, len, count, out);
    case Sha256Kernel::avx2x8:
      return many_avx2(data, stride, len, count, out);
    case Sha256Kernel::openssl:
      break;
  }
  many_openssl(data, stride, len, count, out);
}

void sha256_many(const uint8_t* data, size_t stride, size_t len, size_t count, Digest32* out) {
  sha256_many_with(best_kernel(), data, stride, len, count, out);
}

const char* sha256_many_kernel() {
  return sha256_kernel_name(best_kernel());
}

}  // namespace codex
