#include "exchange/manifest/manifest.h"

#include <stdexcept>

#include "exchange/error.h"
#include "exchange/manifest/manifest.pb.h"
#include "exchange/multiformats/multicodec.h"

namespace codex {
namespace {

// Manifests are single blocks; anything larger is not a manifest.
constexpr size_t kMaxManifestBytes = 1u << 20;
constexpr uint32_t kMaxSlots = 256;

uint64_t ceil_div(uint64_t a, uint64_t b) {
  return (a + b - 1) / b;
}

void require(bool ok, const std::string& what) {
  if (!ok) throw FormatError("manifest: " + what);
}

Cid cid_field(const std::string& bytes, const char* name) {
  try {
    return Cid::from_bytes(std::string_view(bytes));
  } catch (const FormatError& e) {
    throw FormatError(std::string("manifest: ") + name + ": " + e.what());
  }
}

StrategyType strategy_field(uint32_t v, const char* name) {
  require(v <= 1, std::string(name) + " must be 0 (linear) or 1 (stepped)");
  return static_cast<StrategyType>(v);
}

const ErasureInfo& erasure_of(const Manifest& m) {
  if (!m.erasure) throw std::logic_error("manifest: not a protected manifest");
  return *m.erasure;
}

}  // namespace

uint64_t Manifest::blocks_count() const {
  return ceil_div(dataset_size, block_size);
}

uint64_t Manifest::original_blocks_count() const {
  return ceil_div(erasure_of(*this).original_dataset_size, block_size);
}

uint64_t Manifest::rounded() const {
  uint64_t k = erasure_of(*this).ec_k;
  return ceil_div(original_blocks_count(), k) * k;
}

uint64_t Manifest::steps() const {
  return rounded() / erasure_of(*this).ec_k;
}

uint64_t Manifest::num_slots() const {
  const auto& e = erasure_of(*this);
  return uint64_t(e.ec_k) + e.ec_m;
}

uint64_t Manifest::num_slot_blocks() const {
  return ceil_div(blocks_count(), num_slots());
}

void Manifest::verify() const {
  require(tree_cid.valid() && tree_cid.codec() == multicodec::kRoot,
          "treeCid must be a codex-root CID");
  require(block_size > 0, "blockSize must be positive");
  require(codec == multicodec::kBlock, "codec must be codex-block (0xcd02)");
  require(hcodec == multicodec::kSha2_256, "hcodec must be sha2-256 (0x12)");
  require(tree_cid.hash().code() == hcodec, "treeCid hash codec differs from hcodec");
  require(version == 1, "only CIDv1 datasets are supported");
  if (!erasure) {
    require(dataset_size > 0, "datasetSize must be positive");
    return;
  }
  const ErasureInfo& e = *erasure;
  require(e.ec_k >= 1 && e.ec_m >= 1, "ecK and ecM must be at least 1");
  require(uint64_t(e.ec_k) + e.ec_m <= kMaxSlots, "ecK + ecM must be at most 256");
  require(e.original_tree_cid.valid() && e.original_tree_cid.codec() == multicodec::kRoot,
          "originalTreeCid must be a codex-root CID");
  require(e.original_dataset_size > 0, "originalDatasetSize must be positive");
  require(dataset_size % block_size == 0, "protected datasetSize must be whole blocks");
  require(blocks_count() == steps() * num_slots(), "blocksCount " + std::to_string(blocks_count()) +
                                                       " != steps " + std::to_string(steps()) +
                                                       " * (K + M) " + std::to_string(num_slots()));
  if (e.verification) {
    const VerificationInfo& v = *e.verification;
    require(v.verify_root.valid() && v.verify_root.codec() == multicodec::kProvingRoot,
            "verifyRoot must be a codex-proving-root CID");
    require(v.slot_roots.size() == num_slots(),
            "slotRoots count " + std::to_string(v.slot_roots.size()) + " != K + M");
    for (const Cid& c : v.slot_roots)
      require(c.codec() == multicodec::kSlotRoot, "slotRoots must be codex-slot-root CIDs");
    require(v.cell_size > 0 && block_size % v.cell_size == 0, "cellSize must divide blockSize");
  }
}

std::string Manifest::encode() const {
  verify();
  pb::ManifestPb msg;
  pb::HeaderPb* h = msg.mutable_header();
  h->set_tree_cid(tree_cid.bytes());
  h->set_block_size(block_size);
  h->set_dataset_size(dataset_size);
  h->set_codec(static_cast<uint32_t>(codec));
  h->set_hcodec(static_cast<uint32_t>(hcodec));
  h->set_version(version);
  if (erasure) {
    pb::ErasureInfoPb* e = h->mutable_erasure();
    e->set_ec_k(erasure->ec_k);
    e->set_ec_m(erasure->ec_m);
    e->set_original_tree_cid(erasure->original_tree_cid.bytes());
    e->set_original_dataset_size(erasure->original_dataset_size);
    e->set_protected_strategy(static_cast<uint32_t>(erasure->strategy));
    if (erasure->verification) {
      const VerificationInfo& v = *erasure->verification;
      pb::VerificationInfoPb* vp = e->mutable_verification();
      vp->set_verify_root(v.verify_root.bytes());
      for (const Cid& c : v.slot_roots)
        vp->add_slot_roots(c.bytes());
      vp->set_cell_size(v.cell_size);
      vp->set_verifiable_strategy(static_cast<uint32_t>(v.strategy));
    }
  }
  if (filename && !filename->empty()) h->set_filename(*filename);
  if (mimetype && !mimetype->empty()) h->set_mimetype(*mimetype);
  return msg.SerializeAsString();
}

Manifest Manifest::decode(std::span<const uint8_t> bytes) {
  require(!bytes.empty(), "empty");
  require(bytes.size() <= kMaxManifestBytes, "larger than 1 MiB");
  pb::ManifestPb msg;
  require(msg.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())), "malformed protobuf");
  require(msg.unknown_fields().empty(), "unknown field in the outer message");
  require(msg.has_header(), "missing header (field 1)");
  const pb::HeaderPb& h = msg.header();
  require(h.unknown_fields().empty(), "unknown field in the header");
  require(h.has_tree_cid(), "missing treeCid (field 1)");
  require(h.has_block_size(), "missing blockSize (field 2)");
  require(h.has_dataset_size(), "missing datasetSize (field 3)");
  require(h.has_codec(), "missing codec (field 4)");
  require(h.has_hcodec(), "missing hcodec (field 5)");
  require(h.has_version(), "missing version (field 6)");

  Manifest m;
  m.tree_cid = cid_field(h.tree_cid(), "treeCid");
  m.block_size = h.block_size();
  m.dataset_size = h.dataset_size();
  m.codec = h.codec();
  m.hcodec = h.hcodec();
  m.version = h.version();
  if (!h.filename().empty()) m.filename = h.filename();
  if (!h.mimetype().empty()) m.mimetype = h.mimetype();

  // A sub-message is present iff its buffer is non-empty (minprotobuf).
  if (h.has_erasure() && h.erasure().ByteSizeLong() > 0) {
    const pb::ErasureInfoPb& e = h.erasure();
    require(e.unknown_fields().empty(), "unknown field in erasure info");
    require(e.has_ec_k() && e.has_ec_m() && e.has_original_tree_cid() &&
                e.has_original_dataset_size() && e.has_protected_strategy(),
            "erasure info misses ecK, ecM, originalTreeCid, originalDatasetSize or strategy");
    ErasureInfo ei;
    ei.ec_k = e.ec_k();
    ei.ec_m = e.ec_m();
    ei.original_tree_cid = cid_field(e.original_tree_cid(), "originalTreeCid");
    ei.original_dataset_size = e.original_dataset_size();
    ei.strategy = strategy_field(e.protected_strategy(), "protectedStrategy");
    if (e.has_verification() && e.verification().ByteSizeLong() > 0) {
      const pb::VerificationInfoPb& v = e.verification();
      require(v.unknown_fields().empty(), "unknown field in verification info");
      require(v.has_verify_root() && v.slot_roots_size() > 0 && v.has_cell_size() &&
                  v.has_verifiable_strategy(),
              "verification info misses verifyRoot, slotRoots, cellSize or strategy");
      VerificationInfo vi;
      vi.verify_root = cid_field(v.verify_root(), "verifyRoot");
      for (const auto& s : v.slot_roots())
        vi.slot_roots.push_back(cid_field(s, "slotRoots"));
      vi.cell_size = v.cell_size();
      vi.strategy = strategy_field(v.verifiable_strategy(), "verifiableStrategy");
      ei.verification = std::move(vi);
    }
    m.erasure = std::move(ei);
  }
  m.verify();
  return m;
}

Manifest Manifest::decode(std::string_view bytes) {
  return decode(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
}

Cid Manifest::cid() const {
  std::string enc = encode();
  return Cid::sha256_of(
      multicodec::kManifest,
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(enc.data()), enc.size()));
}

}  // namespace codex
