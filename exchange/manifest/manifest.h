#pragma once
// Dataset manifests (spec node.md §1.4): plain, protected (erasure-coded) and
// verifiable (with Poseidon2 slot roots). Encoded with the reference's
// minprotobuf field numbers; manifests are stored as codex-manifest blocks.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/indexing_strategy.h"
#include "exchange/multiformats/cid.h"

namespace codex {

using base::StrategyType;  // the wire values of protectedStrategy / verifiableStrategy

struct VerificationInfo {
  Cid verify_root;              // codex-proving-root
  std::vector<Cid> slot_roots;  // codex-slot-root, one per slot (K+M)
  uint32_t cell_size = 2048;
  StrategyType strategy = StrategyType::kLinear;
  friend bool operator==(const VerificationInfo&, const VerificationInfo&) = default;
};

struct ErasureInfo {
  uint32_t ec_k = 0;
  uint32_t ec_m = 0;
  Cid original_tree_cid;
  uint64_t original_dataset_size = 0;
  StrategyType strategy = StrategyType::kStepped;
  std::optional<VerificationInfo> verification;  // present ⇒ verifiable
  friend bool operator==(const ErasureInfo&, const ErasureInfo&) = default;
};

struct Manifest {
  Cid tree_cid;  // codex-root
  uint64_t dataset_size = 0;
  uint32_t block_size = 65536;
  uint64_t codec = 0xCD02;  // block codec
  uint64_t hcodec = 0x12;   // hash codec
  uint32_t version = 1;     // CID version
  std::optional<std::string> filename;
  std::optional<std::string> mimetype;
  std::optional<ErasureInfo> erasure;  // present ⇒ protected

  bool is_protected() const { return erasure.has_value(); }
  bool is_verifiable() const { return erasure && erasure->verification; }

  // ceil(dataset_size / block_size).
  uint64_t blocks_count() const;
  // Protected manifests only (throw std::logic_error otherwise):
  uint64_t original_blocks_count() const;  // ceil(original size / block size)
  uint64_t rounded() const;                // roundUp(original blocks, K)
  uint64_t steps() const;                  // rounded / K
  uint64_t num_slots() const;              // K + M
  uint64_t num_slot_blocks() const;        // ceil(blocks_count / num_slots)

  // Checks the rules of §1.4/§2 (codecs, sizes, K/M, blocksCount == steps·(K+M),
  // slot roots count). Throws FormatError naming the broken rule.
  void verify() const;

  // Wire form; encode() requires a valid manifest.
  std::string encode() const;
  // Strict decoding: malformed protobuf, unknown fields, missing required
  // fields, wrong codecs or inconsistent sizes → FormatError. Runs verify().
  static Manifest decode(std::span<const uint8_t> bytes);
  static Manifest decode(std::string_view bytes);

  // CIDv1(codex-manifest, sha2-256(encode())).
  Cid cid() const;

  friend bool operator==(const Manifest&, const Manifest&) = default;
};

}  // namespace codex
