#include "exchange/net/blockexc/verify.h"

#include <algorithm>
#include <cstring>
#include <exception>

#include "exchange/crypto/sha256.h"
#include "exchange/multiformats/multicodec.h"
#include "exchange/tree/tree_proof.h"

namespace codex::net::blockexc {
namespace {

std::span<const uint8_t> bytes_of(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

bool digest_equals(const Digest32& d, const std::string& s) {
  return s.size() == d.size() && std::memcmp(d.data(), s.data(), d.size()) == 0;
}

Digest32 to_digest(const std::string& s) {
  Digest32 d{};
  std::memcpy(d.data(), s.data(), d.size());
  return d;
}

}  // namespace

std::string verify_delivery(const BlockDelivery& d) {
  if (!d.cid.valid()) return "delivery without a CID";
  if (d.cid.hash().code() != multicodec::kSha2_256)
    return "block CID " + d.cid.to_string() + " is not a sha2-256 CID";
  const Digest32 digest = sha256(bytes_of(d.data));
  if (!digest_equals(digest, d.cid.hash().digest()))
    return "data does not hash to " + d.cid.to_string();
  if (!d.address.leaf) {
    if (d.cid != d.address.cid)
      return "delivered " + d.cid.to_string() + " for " + d.address.cid.to_string();
    return {};
  }
  if (!d.proof) return "leaf " + d.address.to_string() + " delivered without a proof";
  const Multihash& root = d.address.tree_cid.hash();
  if (root.code() != multicodec::kSha2_256 || root.digest().size() != 32)
    return "tree CID " + d.address.tree_cid.to_string() + " is not a SHA-256 tree";
  try {
    const TreeProof proof = TreeProof::decode(*d.proof);
    if (proof.index != d.address.index)
      return "proof of index " + std::to_string(proof.index) + " for " + d.address.to_string();
    if (proof.mcodec != multicodec::kSha2_256) return "proof is not of a SHA-256 tree";
    if (!proof.verify(digest, to_digest(root.digest())))
      return "proof of " + d.address.to_string() + " does not verify";
  } catch (const std::exception& e) {
    return std::string("malformed proof: ") + e.what();
  }
  return {};
}

}  // namespace codex::net::blockexc
