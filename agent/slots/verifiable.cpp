#include "agent/slots/verifiable.h"

#include <algorithm>
#include <string>

#include "exchange/erasure/dataset_blocks.h"
#include "exchange/error.h"
#include "exchange/multiformats/multicodec.h"

namespace codex::slots {
namespace {

Cid root_cid(uint64_t codec, const Fr& root) {
  const auto le = root.to_bytes_le();
  return Cid(codec, Multihash(multicodec::kIdentity, std::string(le.begin(), le.end())));
}

const VerificationInfo& verification(const Manifest& m) {
  if (!m.is_verifiable()) throw FormatError("slots: the manifest is not verifiable");
  return *m.erasure->verification;
}

}  // namespace

prover::slots::SlotLayout slot_layout(const Manifest& m) {
  if (!m.is_protected()) throw FormatError("slots: the manifest is not protected");
  const uint64_t cell =
      m.is_verifiable() ? m.erasure->verification->cell_size : prover::slots::kDefaultCellSize;
  try {
    return prover::slots::SlotLayout(m.blocks_count(), m.num_slots(), m.block_size, cell);
  } catch (const std::exception& e) {
    throw FormatError(std::string("slots: the dataset cannot be cut into slots: ") + e.what());
  }
}

prover::slots::BlockReader block_reader(erasure::DatasetBlocks& blocks, const Manifest& m) {
  const Cid tree = m.tree_cid;
  return [&blocks, tree](uint64_t index, std::span<uint8_t> out) {
    const std::optional<Cid> cid = blocks.leaf_cid(tree, index);
    if (!cid)
      throw NotFoundError("slots: leaf " + std::to_string(index) + " of " + tree.to_string() +
                          " is not stored");
    if (*cid == Cid::empty_block()) {
      std::fill(out.begin(), out.end(), uint8_t{0});
      return;
    }
    const std::optional<std::string> bytes = blocks.block(*cid);
    if (!bytes) throw NotFoundError("slots: block " + cid->to_string() + " is not stored");
    if (bytes->size() != out.size())
      throw FormatError("slots: block " + cid->to_string() + " has " +
                        std::to_string(bytes->size()) + " bytes, not " +
                        std::to_string(out.size()));
    std::copy(bytes->begin(), bytes->end(), out.begin());
  };
}

Cid slot_root_cid(const Fr& root) {
  return root_cid(multicodec::kSlotRoot, root);
}

Cid verify_root_cid(const Fr& root) {
  return root_cid(multicodec::kProvingRoot, root);
}

Fr root_of(const Cid& cid, uint64_t codec) {
  if (cid.codec() != codec || cid.hash().code() != multicodec::kIdentity ||
      cid.hash().digest().size() != 32)
    throw FormatError("slots: " + cid.to_string() + " is not a Poseidon2 root CID");
  const std::string& d = cid.hash().digest();
  try {
    return Fr::from_bytes_le(std::span(reinterpret_cast<const uint8_t*>(d.data()), d.size()));
  } catch (const std::exception& e) {
    throw FormatError("slots: " + cid.to_string() + ": " + e.what());
  }
}

Manifest with_roots(const Manifest& protected_manifest, const prover::slots::DatasetTree& dataset) {
  if (!protected_manifest.is_protected()) throw FormatError("slots: the manifest is not protected");
  Manifest out = protected_manifest;
  VerificationInfo v;
  v.verify_root = verify_root_cid(dataset.root());
  for (const Fr& r : dataset.slot_roots())
    v.slot_roots.push_back(slot_root_cid(r));
  v.cell_size = static_cast<uint32_t>(slot_layout(protected_manifest).cell_size());
  v.strategy = StrategyType::kLinear;
  out.erasure->verification = v;
  out.verify();
  return out;
}

Manifest build_verifiable(erasure::DatasetBlocks& blocks, const Manifest& protected_manifest,
                          const prover::slots::BuildOptions& options) {
  const prover::slots::SlotLayout layout = slot_layout(protected_manifest);
  const prover::slots::DatasetTree dataset =
      prover::slots::build_dataset(layout, block_reader(blocks, protected_manifest), options);
  return with_roots(protected_manifest, dataset);
}

prover::slots::SlotTree build_checked_slot(erasure::DatasetBlocks& blocks,
                                           const Manifest& verifiable, uint64_t slot,
                                           const prover::slots::BuildOptions& options) {
  const VerificationInfo& v = verification(verifiable);
  if (slot >= v.slot_roots.size())
    throw FormatError("slots: slot " + std::to_string(slot) + " of a dataset of " +
                      std::to_string(v.slot_roots.size()) + " slots");
  prover::slots::SlotTree tree = prover::slots::build_slot(
      slot_layout(verifiable), slot, block_reader(blocks, verifiable), options);
  if (slot_root_cid(tree.root()) != v.slot_roots[slot])
    throw FormatError("slots: the root of slot " + std::to_string(slot) +
                      " built from the stored blocks is " + slot_root_cid(tree.root()).to_string() +
                      ", the manifest names " + v.slot_roots[slot].to_string());
  return tree;
}

}  // namespace codex::slots
