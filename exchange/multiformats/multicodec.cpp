#include "exchange/multiformats/multicodec.h"

namespace codex::multicodec {
namespace {

struct Entry {
  uint64_t code;
  std::string_view name;
  bool content;
  size_t digest;  // for hash functions; 0 = variable
};

constexpr Entry kTable[] = {
    {kIdentity, "identity", false, 0},
    {kSha2_256, "sha2-256", false, 32},
    {kSha2_512, "sha2-512", false, 64},
    {kRaw, "raw", true, 0},
    {kManifest, "codex-manifest", true, 0},
    {kBlock, "codex-block", true, 0},
    {kRoot, "codex-root", true, 0},
    {kSlotRoot, "codex-slot-root", true, 0},
    {kProvingRoot, "codex-proving-root", true, 0},
    {kSlotCell, "codex-slot-cell", true, 0},
    {kPoseidon2Sponge, "poseidon2-alt_bn_128-sponge-r2", false, 32},
    {kPoseidon2Merkle, "poseidon2-alt_bn_128-merkle-2kb", false, 32},
    {kPoseidon2Compress, "poseidon2-alt_bn_128-keyed-compress", false, 32},
};

const Entry* find(uint64_t code) {
  for (const auto& e : kTable)
    if (e.code == code) return &e;
  return nullptr;
}

}  // namespace

std::optional<std::string_view> name(uint64_t code) {
  if (const Entry* e = find(code)) return e->name;
  return std::nullopt;
}

bool is_content_codec(uint64_t code) {
  const Entry* e = find(code);
  return e && e->content;
}

std::optional<size_t> digest_size(uint64_t hash_code) {
  const Entry* e = find(hash_code);
  if (!e || e->content) return std::nullopt;
  return e->digest;
}

}  // namespace codex::multicodec
