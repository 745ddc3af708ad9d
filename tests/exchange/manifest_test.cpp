// Manifest wire format (spec node.md §1.4): round trips of the three kinds, the
// exact field layout, and every decode error path.
#include <gtest/gtest.h>

#include "exchange/error.h"
#include "exchange/manifest/manifest.h"
#include "exchange/multiformats/multicodec.h"
#include "exchange/multiformats/varint.h"
#include "exchange/tree/sha256_tree.h"

using namespace codex;

namespace {
Cid root_cid(uint8_t seed) {
  Digest32 d{};
  d[0] = seed;
  return tree_root_cid(d);
}
Cid field_cid(uint64_t codec, uint8_t seed) {
  return Cid(codec, Multihash(multicodec::kIdentity, std::string(32, char(seed))));
}
Manifest plain() {
  Manifest m;
  m.tree_cid = root_cid(1);
  m.dataset_size = 8 * 65536 - 100;
  m.filename = "a.txt";
  m.mimetype = "text/plain";
  return m;
}
Manifest protected_manifest() {
  Manifest m = plain();
  m.erasure = ErasureInfo{2, 1, root_cid(1), 8 * 65536 - 100, StrategyType::kStepped, {}};
  m.tree_cid = root_cid(2);
  m.dataset_size = 12 * 65536;  // steps 4 * (K + M) 3
  return m;
}
Manifest verifiable() {
  Manifest m = protected_manifest();
  VerificationInfo v;
  v.verify_root = field_cid(multicodec::kProvingRoot, 9);
  for (uint8_t i = 0; i < 3; ++i)
    v.slot_roots.push_back(field_cid(multicodec::kSlotRoot, i));
  m.erasure->verification = v;
  return m;
}
// Tags and length-delimited fields, hand-built to pin the wire layout.
std::string field(uint32_t num, std::string_view payload) {
  std::string out;
  varint::append(out, (uint64_t(num) << 3) | 2);
  varint::append(out, payload.size());
  out += payload;
  return out;
}
std::string vfield(uint32_t num, uint64_t v) {
  std::string out;
  varint::append(out, uint64_t(num) << 3);
  varint::append(out, v);
  return out;
}
}  // namespace

TEST(Manifest, PlainWireLayoutIsTheReferences) {
  Manifest m = plain();
  std::string header = field(1, m.tree_cid.bytes()) + vfield(2, 65536) + vfield(3, m.dataset_size) +
                       vfield(4, 0xCD02) + vfield(5, 0x12) + vfield(6, 1) + field(8, "a.txt") +
                       field(9, "text/plain");
  EXPECT_EQ(m.encode(), field(1, header));
  EXPECT_EQ(Manifest::decode(field(1, header)), m);
  EXPECT_EQ(m.blocks_count(), 8u);
}

TEST(Manifest, RoundTripsAllKinds) {
  for (const Manifest& m : {plain(), protected_manifest(), verifiable()}) {
    Manifest d = Manifest::decode(m.encode());
    EXPECT_EQ(d, m);
    EXPECT_EQ(d.cid(), m.cid());
    EXPECT_EQ(d.cid().codec(), multicodec::kManifest);
  }
  Manifest p = protected_manifest();
  EXPECT_EQ(p.steps(), 4u);
  EXPECT_EQ(p.rounded(), 8u);
  EXPECT_EQ(p.num_slots(), 3u);
  EXPECT_EQ(p.num_slot_blocks(), 4u);
  EXPECT_TRUE(verifiable().is_verifiable());
  EXPECT_FALSE(p.is_verifiable());
}

TEST(Manifest, EmptyFilenameMeansAbsent) {
  Manifest m = plain();
  m.filename = "";
  m.mimetype.reset();
  Manifest d = Manifest::decode(m.encode());
  EXPECT_FALSE(d.filename.has_value());
  EXPECT_FALSE(d.mimetype.has_value());
}

TEST(Manifest, RejectsMalformed) {
  EXPECT_THROW(Manifest::decode(std::string_view()), FormatError);
  EXPECT_THROW(Manifest::decode(std::string_view("\x0a\x05\x01")), FormatError);  // truncated
  Manifest m = plain();
  std::string base = field(1, m.tree_cid.bytes()) + vfield(2, 65536) + vfield(3, 1000) +
                     vfield(4, 0xCD02) + vfield(5, 0x12) + vfield(6, 1);
  EXPECT_NO_THROW(Manifest::decode(field(1, base)));
  // Unknown fields at each level.
  EXPECT_THROW(Manifest::decode(field(1, base) + vfield(2, 1)), FormatError);
  EXPECT_THROW(Manifest::decode(field(1, base + vfield(12, 1))), FormatError);
  // Each required header field missing.
  std::string missing_tree =
      vfield(2, 65536) + vfield(3, 1000) + vfield(4, 0xCD02) + vfield(5, 0x12) + vfield(6, 1);
  EXPECT_THROW(Manifest::decode(field(1, missing_tree)), FormatError);
  std::string missing_size = field(1, m.tree_cid.bytes()) + vfield(2, 65536) + vfield(4, 0xCD02) +
                             vfield(5, 0x12) + vfield(6, 1);
  EXPECT_THROW(Manifest::decode(field(1, missing_size)), FormatError);
  // Wrong codecs and sizes.
  auto with = [&](uint32_t num, uint64_t v) {
    std::string h = field(1, m.tree_cid.bytes());
    for (uint32_t f = 2; f <= 6; ++f) {
      uint64_t def[] = {0, 0, 65536, 1000, 0xCD02, 0x12, 1};
      h += vfield(f, f == num ? v : def[f]);
    }
    return field(1, h);
  };
  EXPECT_THROW(Manifest::decode(with(4, 0x55)), FormatError);  // codec
  EXPECT_THROW(Manifest::decode(with(5, 0x13)), FormatError);  // hcodec
  EXPECT_THROW(Manifest::decode(with(6, 0)), FormatError);     // version
  EXPECT_THROW(Manifest::decode(with(2, 0)), FormatError);     // block size
  EXPECT_THROW(Manifest::decode(with(3, 0)), FormatError);     // dataset size
  // treeCid that is not a CID, or not a codex-root CID.
  std::string bad_tree = field(1, "xyz") + base.substr(field(1, m.tree_cid.bytes()).size());
  EXPECT_THROW(Manifest::decode(field(1, bad_tree)), FormatError);
  std::string block_tree =
      field(1, Cid::empty_block().bytes()) + base.substr(field(1, m.tree_cid.bytes()).size());
  EXPECT_THROW(Manifest::decode(field(1, block_tree)), FormatError);
}

TEST(Manifest, RejectsInconsistentProtectedManifests) {
  Manifest m = protected_manifest();
  m.dataset_size = 11 * 65536;  // != steps * (K + M)
  EXPECT_THROW(m.verify(), FormatError);
  Manifest k0 = protected_manifest();
  k0.erasure->ec_k = 0;
  EXPECT_THROW(k0.verify(), FormatError);
  Manifest big = protected_manifest();
  big.erasure->ec_k = 200;
  big.erasure->ec_m = 57;
  EXPECT_THROW(big.verify(), FormatError);
  Manifest v = verifiable();
  v.erasure->verification->slot_roots.pop_back();
  EXPECT_THROW(v.verify(), FormatError);
  Manifest wrong_root = verifiable();
  wrong_root.erasure->verification->verify_root = field_cid(multicodec::kSlotRoot, 1);
  EXPECT_THROW(wrong_root.verify(), FormatError);
  Manifest cell = verifiable();
  cell.erasure->verification->cell_size = 3000;
  EXPECT_THROW(cell.verify(), FormatError);
  Manifest strategy = protected_manifest();
  std::string enc = strategy.encode();
  // protectedStrategy 7 is not a strategy.
  std::string ei = vfield(1, 2) + vfield(2, 1) + field(3, root_cid(1).bytes()) +
                   vfield(4, 8 * 65536 - 100) + vfield(5, 7);
  std::string h = field(1, root_cid(2).bytes()) + vfield(2, 65536) + vfield(3, 12 * 65536) +
                  vfield(4, 0xCD02) + vfield(5, 0x12) + vfield(6, 1) + field(7, ei);
  EXPECT_THROW(Manifest::decode(field(1, h)), FormatError);
}
