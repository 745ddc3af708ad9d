#pragma once
// The multicodec codes the node uses (spec node.md §1.2).
#include <cstdint>
#include <optional>
#include <string_view>

namespace codex::multicodec {

// Content codecs (CID codec field).
constexpr uint64_t kRaw = 0x55;
constexpr uint64_t kManifest = 0xCD01;     // codex-manifest
constexpr uint64_t kBlock = 0xCD02;        // codex-block
constexpr uint64_t kRoot = 0xCD03;         // codex-root (SHA-256 tree root)
constexpr uint64_t kSlotRoot = 0xCD04;     // codex-slot-root
constexpr uint64_t kProvingRoot = 0xCD05;  // codex-proving-root (verify root)
constexpr uint64_t kSlotCell = 0xCD06;     // codex-slot-cell

// Multihash function codes.
constexpr uint64_t kIdentity = 0x00;
constexpr uint64_t kSha2_256 = 0x12;
constexpr uint64_t kSha2_512 = 0x13;
constexpr uint64_t kPoseidon2Sponge = 0xCD10;    // poseidon2-alt_bn_128-sponge-r2
constexpr uint64_t kPoseidon2Merkle = 0xCD11;    // poseidon2-alt_bn_128-merkle-2kb
constexpr uint64_t kPoseidon2Compress = 0xCD12;  // declared, unused

// Name of a known code, e.g. "codex-block"; nullopt for an unknown one.
std::optional<std::string_view> name(uint64_t code);

// True for the content codecs a CID may carry.
bool is_content_codec(uint64_t code);

// Digest length of a multihash function (0 = variable, identity); nullopt if unknown.
std::optional<size_t> digest_size(uint64_t hash_code);

}  // namespace codex::multicodec
