#include "prover/poseidon2/bytes_x8.h"

#include <bit>
#include <cstdint>
#include <string>

#include "prover/error.h"
#include "prover/poseidon2/bytes.h"
#include "prover/poseidon2/permutation_x8.h"
#include "prover/poseidon2/sponge.h"

namespace codex::prover::poseidon2 {
namespace {

static_assert(std::endian::native == std::endian::little,
              "chunk packing assumes a little-endian host");

FrX8 chunk_x8(const std::array<std::span<const uint8_t>, 8>& inputs, size_t k) {
#if defined(__AVX512F__)
  // Whole chunks with 6 readable bytes after them: gather each 29-bit limb
  // straight from the 8 inputs (limb j starts at bit 29j; the top limb keeps
  // the chunk's last 16 bits). The padded tail goes the scalar way below.
  const size_t begin = k * kBytesPerElement;
  if (begin + kBytesPerElement + 6 <= inputs[0].size()) {
    namespace x8 = field::x8;
    const uint8_t* base = inputs[0].data() + begin;
    alignas(64) int64_t offsets[8];
    for (size_t i = 0; i < 8; ++i)
      offsets[i] = int64_t(uintptr_t(inputs[i].data() + begin) - uintptr_t(base));
    const __m512i index = _mm512_load_si512(offsets);
    x8::Vec v;
    for (int j = 0; j < x8::kLimbs; ++j) {
      const int bit = j * x8::kLimbBits;
      // (Masked form: the plain one trips a GCC 12 -Wmaybe-uninitialized.)
      const __m512i w =
          _mm512_mask_i64gather_epi64(_mm512_setzero_si512(), 0xff, index, base + bit / 8, 1);
      const uint64_t mask = j + 1 < x8::kLimbs ? x8::kMask : 0xffff;
      v.l[j] = x8::and64(x8::shr64(w, bit % 8), x8::bcast(mask));
    }
    return FrX8::from_canonical_limbs(v);
  }
#endif
  std::array<Fr::Repr, 8> v;
  for (size_t i = 0; i < 8; ++i)
    v[i] = chunk_value(inputs[i], k);
  return FrX8::from_canonical_unchecked(v);
}

}  // namespace

std::array<Fr, 8> hash_bytes_x8(const std::array<std::span<const uint8_t>, 8>& inputs) {
  const size_t len = inputs[0].size();
  for (const auto& in : inputs) {
    if (in.size() != len) {
      throw InvalidInput("hash_bytes_x8 needs inputs of equal length, got " + std::to_string(len) +
                         " and " + std::to_string(in.size()) + " bytes");
    }
  }
  // The rate-2 sponge of sponge.cpp, with the same IV and "10*" padding.
  StateX8 s = {FrX8(), FrX8(), FrX8::broadcast(sponge_iv(2))};
  const size_t n = field_elements_for_bytes(len);
  size_t k = 0;
  for (; k + 2 <= n; k += 2) {
    s[0] = s[0] + chunk_x8(inputs, k);
    s[1] = s[1] + chunk_x8(inputs, k + 1);
    permute_x8(s);
  }
  const FrX8 one = FrX8::broadcast(Fr::one());
  if (k < n) {
    s[0] = s[0] + chunk_x8(inputs, k);
    s[1] = s[1] + one;
  } else {
    s[0] = s[0] + one;
  }
  permute_x8(s);
  return s[0].to_fr();
}

}  // namespace codex::prover::poseidon2
