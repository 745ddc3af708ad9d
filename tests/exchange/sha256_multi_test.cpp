// Multi-buffer SHA-256 against OpenSSL's single-buffer sha256 on every kernel
// this CPU runs, over lengths around the padding edges and counts 1..40 (so
// full, partial and OpenSSL-handled leftover groups all occur), plus the
// FIPS 180-2 appendix B known answers.
#include <gtest/gtest.h>

#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "base/hex.h"
#include "exchange/crypto/sha256_multi.h"

using namespace codex;

namespace {

std::string hex(const Digest32& d) {
  return base::to_hex(d, false);
}

std::vector<Sha256Kernel> kernels() {
  std::vector<Sha256Kernel> out;
  for (auto k : {Sha256Kernel::openssl, Sha256Kernel::avx2x8, Sha256Kernel::avx512x16})
    if (sha256_kernel_supported(k)) out.push_back(k);
  return out;
}

// `count` copies of msg, `stride` bytes apart.
std::string hash_copies(Sha256Kernel kernel, const std::string& msg, size_t count) {
  const size_t stride = msg.size() + 3;
  std::vector<uint8_t> buf(1 + stride * count);
  uint8_t* first = buf.data() + 1;  // deliberately unaligned
  for (size_t i = 0; i < count; ++i)
    std::copy(msg.begin(), msg.end(), first + i * stride);
  std::vector<Digest32> out(count);
  sha256_many_with(kernel, first, stride, msg.size(), count, out.data());
  for (size_t i = 1; i < count; ++i)
    EXPECT_EQ(out[i], out[0]) << "lane " << i;
  return hex(out[0]);
}

}  // namespace

TEST(Sha256Multi, KnownAnswers) {
  const std::string million_a(1000000, 'a');
  for (auto kernel : kernels()) {
    SCOPED_TRACE(sha256_kernel_name(kernel));
    for (size_t count : {1, 8, 16, 17}) {
      EXPECT_EQ(hash_copies(kernel, "abc", count),
                "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
      EXPECT_EQ(
          hash_copies(kernel, "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", count),
          "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
      EXPECT_EQ(hash_copies(kernel, "", count),
                "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }
    EXPECT_EQ(hash_copies(kernel, million_a, 16),
              "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  }
}

TEST(Sha256Multi, MatchesOpenSsl) {
  std::mt19937_64 rng(42);
  for (auto kernel : kernels()) {
    SCOPED_TRACE(sha256_kernel_name(kernel));
    for (size_t len : {0, 1, 55, 56, 63, 64, 65, 119, 120, 127, 128, 1000, 4096, 65536}) {
      // Random stride >= len, so lanes neither overlap nor share alignment.
      const size_t stride = len + rng() % 17;
      const size_t max_count = len >= 65536 ? 20 : 40;  // keeps the test quick
      std::vector<uint8_t> data(stride * max_count + 1);
      for (auto& b : data)
        b = uint8_t(rng());
      std::vector<Digest32> expect(max_count);
      for (size_t i = 0; i < max_count; ++i)
        expect[i] = sha256({data.data() + i * stride, len});
      for (size_t count = 1; count <= max_count; ++count) {
        std::vector<Digest32> out(count);
        sha256_many_with(kernel, data.data(), stride, len, count, out.data());
        for (size_t i = 0; i < count; ++i)
          ASSERT_EQ(out[i], expect[i]) << "len " << len << " count " << count << " i " << i;
      }
    }
  }
}

TEST(Sha256Multi, LargeCountsAndDefaultKernel) {
  // 64 KiB blocks, 40 at once, through the public entry point; plus count 0 and stride 0.
  const size_t len = 65536, count = 40;
  std::vector<uint8_t> data(len * count);
  std::mt19937 rng(7);
  for (auto& b : data)
    b = uint8_t(rng());
  std::vector<Digest32> out(count);
  sha256_many(data.data(), len, len, count, out.data());
  for (size_t i = 0; i < count; ++i)
    EXPECT_EQ(out[i], sha256({data.data() + i * len, len}));

  sha256_many(data.data(), len, len, 0, nullptr);
  sha256_many(data.data(), 0, 100, count, out.data());
  for (size_t i = 0; i < count; ++i)
    EXPECT_EQ(out[i], sha256({data.data(), 100}));
}

TEST(Sha256Multi, KernelReport) {
  const std::string k = sha256_many_kernel();
  EXPECT_TRUE(k == "avx512x16" || k == "avx2x8" || k == "openssl") << k;
  if (sha256_kernel_supported(Sha256Kernel::avx512x16)) {
    EXPECT_EQ(k, "avx512x16");
  } else if (sha256_kernel_supported(Sha256Kernel::avx2x8)) {
    EXPECT_EQ(k, "avx2x8");
  }
  std::printf("sha256_many kernel on this CPU: %s\n", k.c_str());
}
