#include "exchange/tree/sha256_tree.h"

#include <cstring>

#include "exchange/error.h"
#include "exchange/multiformats/multicodec.h"
#include "exchange/tree/tree.pb.h"

namespace codex {
namespace {

constexpr size_t kMaxTreeBytes = 100u << 20;
constexpr Digest32 kZero{};

TreeKey layer_key(bool bottom, bool odd) {
  if (odd) return bottom ? TreeKey::kOddAndBottomLayer : TreeKey::kOdd;
  return bottom ? TreeKey::kBottomLayer : TreeKey::kNone;
}

Digest32 to_digest(const std::string& s, const char* what) {
  if (s.size() != 32) throw FormatError(std::string(what) + ": node must be 32 bytes");
  Digest32 d;
  std::memcpy(d.data(), s.data(), 32);
  return d;
}

}  // namespace

Digest32 sha256_compress(const Digest32& left, const Digest32& right, TreeKey key) {
  uint8_t buf[65];
  std::memcpy(buf, left.data(), 32);
  std::memcpy(buf + 32, right.data(), 32);
  buf[64] = static_cast<uint8_t>(key);
  return sha256(buf);
}

Sha256Tree Sha256Tree::build(std::vector<Digest32> leaves) {
  if (leaves.empty()) throw FormatError("sha256 tree: no leaves");
  Sha256Tree t;
  t.layers_.push_back(std::move(leaves));
  bool bottom = true;
  // A single leaf is still compressed once: stop only at a non-bottom layer of 1.
  while (bottom || t.layers_.back().size() > 1) {
    const auto& cur = t.layers_.back();
    std::vector<Digest32> next((cur.size() + 1) / 2);
    for (size_t i = 0; i + 1 < cur.size(); i += 2)
      next[i / 2] = sha256_compress(cur[i], cur[i + 1], layer_key(bottom, false));
    if (cur.size() % 2 == 1)
      next.back() = sha256_compress(cur.back(), kZero, layer_key(bottom, true));
    t.layers_.push_back(std::move(next));
    bottom = false;
  }
  return t;
}

Sha256Tree Sha256Tree::from_cids(std::span<const Cid> cids) {
  std::vector<Digest32> leaves;
  leaves.reserve(cids.size());
  for (const Cid& c : cids)
    leaves.push_back(block_digest(c));
  return build(std::move(leaves));
}

Cid Sha256Tree::root_cid() const {
  return tree_root_cid(root());
}

TreeProof Sha256Tree::proof(uint64_t index) const {
  if (index >= leaves_count()) throw std::out_of_range("sha256 tree: leaf index out of range");
  TreeProof p;
  p.index = index;
  p.nleaves = leaves_count();
  uint64_t k = index;
  for (size_t l = 0; l + 1 < layers_.size(); ++l) {
    uint64_t sib = k ^ 1;
    p.path.push_back(sib < layers_[l].size() ? layers_[l][sib] : kZero);
    k >>= 1;
  }
  return p;
}

std::string Sha256Tree::encode() const {
  pb::TreePb msg;
  msg.set_mcodec(multicodec::kSha2_256);
  msg.set_leaves_count(leaves_count());
  for (const auto& layer : layers_)
    for (const auto& n : layer)
      msg.add_nodes()->set_hash(n.data(), n.size());
  return msg.SerializeAsString();
}

Sha256Tree Sha256Tree::decode(std::span<const uint8_t> bytes) {
  if (bytes.size() > kMaxTreeBytes) throw FormatError("sha256 tree: encoding over 100 MiB");
  pb::TreePb msg;
  if (!msg.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
    throw FormatError("sha256 tree: malformed protobuf");
  if (!msg.unknown_fields().empty()) throw FormatError("sha256 tree: unknown fields");
  if (msg.mcodec() != multicodec::kSha2_256) throw FormatError("sha256 tree: codec not sha2-256");
  uint64_t n = msg.leaves_count();
  if (n == 0 || n > static_cast<uint64_t>(msg.nodes_size()))
    throw FormatError("sha256 tree: bad leaves count");
  std::vector<Digest32> leaves;
  leaves.reserve(n);
  for (uint64_t i = 0; i < n; ++i)
    leaves.push_back(to_digest(msg.nodes(int(i)).hash(), "tree"));
  Sha256Tree t = build(std::move(leaves));
  // The stored inner nodes must be exactly the ones the leaves imply.
  size_t idx = 0;
  for (const auto& layer : t.layers_)
    for (const auto& node : layer) {
      if (idx >= static_cast<size_t>(msg.nodes_size()) ||
          to_digest(msg.nodes(int(idx)).hash(), "tree") != node)
        throw FormatError("sha256 tree: inner nodes do not match the leaves");
      ++idx;
    }
  if (idx != static_cast<size_t>(msg.nodes_size()))
    throw FormatError("sha256 tree: trailing nodes");
  return t;
}

Cid tree_root_cid(const Digest32& root) {
  return Cid(multicodec::kRoot,
             Multihash(multicodec::kSha2_256, std::string(root.begin(), root.end())));
}

Digest32 tree_root_of(const Cid& tree_cid) {
  if (tree_cid.codec() != multicodec::kRoot || tree_cid.hash().code() != multicodec::kSha2_256)
    throw FormatError("tree cid: expected codex-root with a sha2-256 multihash");
  return to_digest(tree_cid.hash().digest(), "tree cid");
}

Digest32 block_digest(const Cid& block_cid) {
  if (block_cid.hash().code() != multicodec::kSha2_256)
    throw FormatError("block cid: expected a sha2-256 multihash");
  return to_digest(block_cid.hash().digest(), "block cid");
}

}  // namespace codex
