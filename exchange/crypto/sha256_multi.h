#pragma once
// Multi-buffer SHA-256: hashes many equal-length messages at once, one message
// per SIMD lane (16 with AVX-512, 8 with AVX2). Upload hashing of 64 KiB blocks
// is several times faster this way on CPUs without the SHA instructions.
//
// Groups: messages go through the widest kernel in full groups of its lane
// count. A leftover group of 9..15 runs in the 16-lane kernel with the idle
// lanes re-hashing message 0 (results discarded); a leftover of 3..8 runs
// likewise in the 8-lane kernel; 1 or 2 leftovers go to OpenSSL one by one,
// which is cheaper than a mostly idle SIMD group.
#include <cstddef>
#include <cstdint>

#include "exchange/crypto/sha256.h"

namespace codex {

// Hashes `count` messages of equal length `len`, message i at data + i*stride, into out[i].
// Uses the widest SIMD kernel the CPU supports; results equal sha256() bit for bit.
// Thread-safe (pure). len may be any size, including 0 and non-multiples of 64.
void sha256_many(const uint8_t* data, size_t stride, size_t len, size_t count, Digest32* out);

// Which kernel sha256_many uses on this CPU: "avx512x16", "avx2x8" or "openssl".
const char* sha256_many_kernel();

// The kernels one by one, for tests and benchmarks.
enum class Sha256Kernel { openssl, avx2x8, avx512x16 };

const char* sha256_kernel_name(Sha256Kernel kernel);
// Whether this CPU (and OS) can run the kernel; openssl always can.
bool sha256_kernel_supported(Sha256Kernel kernel);
// sha256_many with `kernel` as the widest kernel (leftovers still go to
// narrower kernels and OpenSSL as described above).
// Throws std::invalid_argument if the CPU does not support the kernel.
void sha256_many_with(Sha256Kernel kernel, const uint8_t* data, size_t stride, size_t len,
                      size_t count, Digest32* out);

}  // namespace codex
