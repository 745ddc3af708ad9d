#include "exchange/tree/tree_proof.h"

#include <cstring>

#include "exchange/error.h"
#include "exchange/multiformats/multicodec.h"
#include "exchange/tree/sha256_tree.h"
#include "exchange/tree/tree.pb.h"

namespace codex {
namespace {

constexpr size_t kMaxProofBytes = 1u << 20;

}  // namespace

size_t tree_depth(uint64_t nleaves) {
  if (nleaves == 0) return 0;
  size_t depth = 1;  // the bottom layer is always compressed once
  for (uint64_t m = (nleaves + 1) / 2; m > 1; m = (m + 1) / 2)
    ++depth;
  return depth;
}

Digest32 TreeProof::reconstruct_root(const Digest32& leaf) const {
  if (mcodec != multicodec::kSha2_256) throw FormatError("tree proof: codec not sha2-256");
  if (nleaves == 0 || index >= nleaves) throw FormatError("tree proof: index out of range");
  if (path.size() != tree_depth(nleaves))
    throw FormatError("tree proof: path length " + std::to_string(path.size()) +
                      " does not match the tree depth " + std::to_string(tree_depth(nleaves)));
  Digest32 h = leaf;
  uint64_t k = index;
  uint64_t m = nleaves;
  bool bottom = true;
  for (const Digest32& sib : path) {
    TreeKey key = bottom ? TreeKey::kBottomLayer : TreeKey::kNone;
    TreeKey odd = bottom ? TreeKey::kOddAndBottomLayer : TreeKey::kOdd;
    if (k & 1)
      h = sha256_compress(sib, h, key);
    else if (k == m - 1)
      h = sha256_compress(h, sib, odd);
    else
      h = sha256_compress(h, sib, key);
    k >>= 1;
    m = (m + 1) / 2;
    bottom = false;
  }
  return h;
}

bool TreeProof::verify(const Digest32& leaf, const Digest32& root) const {
  try {
    return reconstruct_root(leaf) == root;
  } catch (const FormatError&) {
    return false;
  }
}

std::string TreeProof::encode() const {
  pb::TreeProofPb msg;
  msg.set_mcodec(mcodec);
  msg.set_index(index);
  msg.set_nleaves(nleaves);
  for (const auto& n : path)
    msg.add_path()->set_hash(n.data(), n.size());
  return msg.SerializeAsString();
}

TreeProof TreeProof::decode(std::span<const uint8_t> bytes) {
  if (bytes.size() > kMaxProofBytes) throw FormatError("tree proof: encoding over 1 MiB");
  pb::TreeProofPb msg;
  if (!msg.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
    throw FormatError("tree proof: malformed protobuf");
  if (!msg.unknown_fields().empty()) throw FormatError("tree proof: unknown fields");
  if (!msg.has_mcodec() || !msg.has_index() || !msg.has_nleaves())
    throw FormatError("tree proof: missing mcodec, index or nleaves");
  TreeProof p;
  p.mcodec = msg.mcodec();
  p.index = msg.index();
  p.nleaves = msg.nleaves();
  if (p.nleaves == 0 || p.index >= p.nleaves) throw FormatError("tree proof: index out of range");
  if (static_cast<size_t>(msg.path_size()) != tree_depth(p.nleaves))
    throw FormatError("tree proof: path length does not match the tree depth");
  for (const auto& n : msg.path()) {
    if (n.hash().size() != 32) throw FormatError("tree proof: path node must be 32 bytes");
    Digest32 d;
    std::memcpy(d.data(), n.hash().data(), 32);
    p.path.push_back(d);
  }
  return p;
}

TreeProof TreeProof::decode(std::string_view bytes) {
  return decode(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
}

}  // namespace codex
