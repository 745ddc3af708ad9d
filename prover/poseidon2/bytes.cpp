#include "prover/poseidon2/bytes.h"

#include <algorithm>
#include <bit>
#include <cassert>
#include <cstring>

#include "prover/poseidon2/sponge.h"

namespace codex::prover::poseidon2 {
namespace {

static_assert(std::endian::native == std::endian::little,
              "chunk packing assumes a little-endian host");

Fr chunk_element(std::span<const uint8_t> bytes, size_t k) {
  return Fr::from_canonical_unchecked(chunk_value(bytes, k));
}

}  // namespace

Fr::Repr chunk_value(std::span<const uint8_t> bytes, size_t k) {
  uint8_t chunk[32] = {};
  size_t begin = k * kBytesPerElement;
  size_t n = begin < bytes.size() ? std::min(kBytesPerElement, bytes.size() - begin) : 0;
  if (n) std::memcpy(chunk, bytes.data() + begin, n);
  if (n < kBytesPerElement) chunk[n] = 0x01;  // the last chunk carries the marker
  Fr::Repr v;
  std::memcpy(v.data(), chunk, sizeof chunk);  // little-endian host (x86-64, arm64)
  return v;
}

void bytes_to_field_elements(std::span<const uint8_t> bytes, std::span<Fr> out) {
  assert(out.size() == field_elements_for_bytes(bytes.size()));
  for (size_t k = 0; k < out.size(); ++k)
    out[k] = chunk_element(bytes, k);
}

std::vector<Fr> bytes_to_field_elements(std::span<const uint8_t> bytes) {
  std::vector<Fr> out(field_elements_for_bytes(bytes.size()));
  bytes_to_field_elements(bytes, out);
  return out;
}

Fr hash_bytes(std::span<const uint8_t> bytes) {
  Sponge s(2);
  size_t n = field_elements_for_bytes(bytes.size());
  for (size_t k = 0; k < n; ++k)
    s.absorb(chunk_element(bytes, k));
  return s.finish();
}

}  // namespace codex::prover::poseidon2
