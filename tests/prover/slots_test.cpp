// Slot layout, fake data, the parallel slot builder and
// the sampler's validation.
#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>

#include "prover/slots/block_tree.h"
#include "prover/slots/builder.h"
#include "prover/slots/fake_data.h"
#include "prover/slots/input_params.h"
#include "prover/slots/layout.h"
#include "prover/slots/sampler.h"

namespace codex::prover::slots {
namespace {

using V = std::vector<uint64_t>;

TEST(SlotLayout, WorkedExampleAndPadding) {
  // node.md Appendix A: 12 encoded blocks, 3 slots of 4 blocks (128 cells).
  SlotLayout a(12, 3);
  EXPECT_EQ(a.slot_blocks(), 4u);
  EXPECT_EQ(a.slot_cells(), 128u);
  EXPECT_EQ(a.slot_size_bytes(), 262144u);
  EXPECT_EQ(a.slot_block_indices(2), (V{8, 9, 10, 11}));
  EXPECT_EQ(a.block_tree_depth(), 5u);
  EXPECT_EQ(a.field_elements_per_cell(), 67u);
  // 3 blocks per slot = 96 cells → padded to 128 cells = 4 blocks.
  SlotLayout p(9, 3);
  EXPECT_EQ(p.slot_blocks(), 4u);
  EXPECT_EQ(p.slot_block_indices(0), (V{0, 1, 2, 9}));
  EXPECT_EQ(p.slot_block_indices(1), (V{3, 4, 5, 10}));
  EXPECT_TRUE(p.is_pad(9));
  EXPECT_THROW(p.slot_block_indices(3), InvalidInput);
  EXPECT_THROW(SlotLayout(10, 3), InvalidInput);  // not a multiple
  EXPECT_THROW(SlotLayout(0, 1), InvalidInput);
  EXPECT_THROW(SlotLayout(4, 0), InvalidInput);
  EXPECT_THROW(SlotLayout(4, 1, 65536, 3000), InvalidInput);     // cells don't divide
  EXPECT_THROW(SlotLayout(4, 1, 3 * 2048, 2048), InvalidInput);  // 3 cells per block
}

TEST(FakeData, ReferenceCellAndBlockOfSlot0) {
  std::vector<uint8_t> cell(2048);
  fake_cell(12345, 0, 0, cell);
  EXPECT_EQ(cell_hash(cell).to_decimal(),
            "6766626229109438998511650555450160451070280491013064757195345456105349826338");
  SlotLayout layout = fake_dataset_layout(11, 512);
  EXPECT_EQ(layout.blocks_count(), 176u);
  std::vector<uint8_t> block(65536);
  fake_block_reader(layout, 12345)(0, block);
  EXPECT_TRUE(std::equal(cell.begin(), cell.end(), block.begin()));
  EXPECT_EQ(block_root(block, 2048).to_decimal(),
            "19157967103585465860696363877910327937153255414266657400301105543578065098010");
}

TEST(Builder, SameRootsOnAnyThreadCountWithPadding) {
  // 3 slots × 3 blocks of 4 cells (128-byte cells): padded to 4 blocks.
  SlotLayout layout(9, 3, 512, 128);
  BlockReader read = [](uint64_t index, std::span<uint8_t> out) {
    for (size_t i = 0; i < out.size(); ++i)
      out[i] = uint8_t(index * 7 + i);
  };
  DatasetTree one = build_dataset(layout, read, {1, false});
  DatasetTree four = build_dataset(layout, read, {4, false});
  DatasetTree conc = build_dataset(layout, read, {3, true});
  EXPECT_EQ(one.root(), four.root());
  EXPECT_EQ(one.root(), conc.root());
  EXPECT_EQ(one.slot_roots(), four.slot_roots());
  // Slot by slot equals the dataset pass; the pad block is an all-zero block.
  for (uint64_t s = 0; s < 3; ++s) {
    SlotTree t = build_slot(layout, s, read, {2, false});
    EXPECT_EQ(t.root(), one.slot(s).root());
    ASSERT_EQ(t.block_roots().size(), 4u);
    EXPECT_EQ(t.block_roots()[3], zero_block_root(layout));
    auto paths = t.all_block_paths();
    for (uint64_t i = 0; i < 4; ++i)
      EXPECT_TRUE(merkle::verify(t.block_roots()[i], paths[i], t.root()));
  }
  EXPECT_TRUE(merkle::verify(one.slot(1).root(), one.slot_proof(1), one.root()));
  EXPECT_THROW(one.slot(3), InvalidInput);
  EXPECT_THROW(build_slot(layout, 3, read), InvalidInput);
}

TEST(Builder, ReaderErrorsPropagateAndReadsAreSerialised) {
  SlotLayout layout(64, 2, 512, 128);
  std::atomic<int> inside{0}, max_inside{0};
  BlockReader read = [&](uint64_t index, std::span<uint8_t> out) {
    int now = ++inside;
    max_inside = std::max(max_inside.load(), now);
    std::fill(out.begin(), out.end(), uint8_t(index));
    --inside;
    if (index == 40) throw std::runtime_error("disk error at block 40");
  };
  try {
    build_dataset(layout, read, {4, false});
    FAIL() << "expected the reader's error";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "disk error at block 40");
  }
  EXPECT_EQ(max_inside.load(), 1);
}

TEST(Sampler, EntropyAndIndices) {
  std::array<uint8_t, 32> challenge;
  for (size_t i = 0; i < 32; ++i)
    challenge[i] = uint8_t(i + 1);
  // codex-abi-vectors.json: challenge 0x0102…1f20 → bytes 0..30 little-endian.
  EXPECT_EQ(entropy_from_challenge(challenge).to_decimal(),
            "54980096196880238888162309298627284197919427551736292421657099673115230721");
  EXPECT_THROW(entropy_from_challenge(std::vector<uint8_t>(31)), InvalidInput);
  Fr root = Fr::from_decimal(
      "20744935707483803411869804102043283881376973626291244537230284476834672019997");
  EXPECT_EQ(sample_cell_indices(Fr::from_u64(10941033813ull), root, 512, 5),
            (V{339, 370, 217, 406, 416}));
  EXPECT_EQ(sample_cell_indices(Fr::from_u64(1234567), root, 512, 5), (V{287, 21, 307, 157, 508}));
  EXPECT_THROW(sample_cell_indices(Fr::one(), root, 500, 5), InvalidInput);
  EXPECT_THROW(sample_cell_indices(Fr::one(), root, 0, 5), InvalidInput);
}

TEST(Sampler, ProofInputShapesAndConsistencyChecks) {
  // One slot of one block: the smallest dataset (slot proof and slot path of
  // one sibling each, the single-leaf rule).
  SlotLayout single(1, 1, 512, 128);
  BlockReader read = [](uint64_t index, std::span<uint8_t> out) {
    for (size_t i = 0; i < out.size(); ++i)
      out[i] = uint8_t(index + i);
  };
  DatasetTree d1 = build_dataset(single, read, {1, false});
  CircuitParams tiny{8, 2, 3};
  ProofInput in = build_proof_input(single, d1, 0, Fr::from_u64(7), tiny, read);
  EXPECT_EQ(in.slot_proof.size(), 2u);
  EXPECT_EQ(in.n_cells_per_slot, 4u);
  ASSERT_EQ(in.cell_data.size(), 3u);
  EXPECT_EQ(in.cell_data[0].size(), 5u);
  ASSERT_EQ(in.merkle_paths.size(), 3u);
  EXPECT_EQ(in.merkle_paths[0].size(), 8u);
  EXPECT_TRUE(in.merkle_paths[0][3].is_zero());  // 2 block + 1 slot sibling, then zeros

  // A block that changed after the slot was built is caught.
  SlotLayout layout(8, 2, 512, 128);
  DatasetTree d = build_dataset(layout, read, {2, false});
  BlockReader changed = [&](uint64_t index, std::span<uint8_t> out) {
    read(index, out);
    out[0] ^= 1;
  };
  EXPECT_THROW(build_proof_input(layout, d, 1, Fr::from_u64(7), tiny, changed), InvalidInput);
  // Circuit limits: too many slots, paths too deep, zero samples, bad slot.
  EXPECT_THROW(build_proof_input(layout, d, 1, Fr::one(), CircuitParams{8, 0, 1}, read),
               InvalidInput);
  EXPECT_THROW(build_proof_input(layout, d, 1, Fr::one(), CircuitParams{3, 2, 1}, read),
               InvalidInput);
  EXPECT_THROW(build_proof_input(layout, d, 1, Fr::one(), CircuitParams{8, 2, 0}, read),
               InvalidInput);
  EXPECT_THROW(build_proof_input(layout, d, 2, Fr::one(), tiny, read), InvalidInput);
  // A slot proof of another slot is rejected.
  ProvingSlot ps = proving_slot(d, 1);
  ps.slot_proof = d.slot_proof(0);
  EXPECT_THROW(build_proof_input(layout, ps, Fr::one(), tiny, read), InvalidInput);
  ps = proving_slot(d, 1);
  ps.slot_root = d.slot(0).root();
  EXPECT_THROW(build_proof_input(layout, ps, Fr::one(), tiny, read), InvalidInput);
  // A consistent input assembles (each path is checked against the slot root
  // inside); its public inputs are [entropy, dataSetRoot, slotIndex].
  ProofInput ok = build_proof_input(layout, d, 1, Fr::from_u64(99), tiny, read);
  EXPECT_EQ(public_inputs(ok), (std::vector<Fr>{Fr::from_u64(99), d.root(), Fr::one()}));
}

TEST(InputParams, RejectsMalformedParameters) {
  InputParams ok;
  ok.nslots = 11;
  ok.slot = 3;
  ok.ncells = 512;
  EXPECT_NO_THROW(validate(ok, true));
  auto bad = [&](auto change, const char* needle) {
    InputParams p = ok;
    change(p);
    try {
      validate(p, true);
      ADD_FAILURE() << "accepted: " << needle;
    } catch (const InvalidInput& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
  };
  bad([](InputParams& p) { p.ncells = 500; }, "not a power of two");
  bad([](InputParams& p) { p.ncells = 16; }, "less than one block");
  bad([](InputParams& p) { p.slot = 11; }, "out of range");
  bad([](InputParams& p) { p.nslots = 257; }, "between 1 and 256");
  bad([](InputParams& p) { p.nslots = 0; }, "between 1 and 256");
  bad([](InputParams& p) { p.maxslots = 100; }, "not a power of two");
  bad([](InputParams& p) { p.blocksize = 1000; }, "multiple of the cell size");
  bad([](InputParams& p) { p.depth = 8; }, "exceeds 2^depth");
  bad([](InputParams& p) { p.nsamples = 0; }, "between 1 and 65536");
  bad([](InputParams& p) { p.nsamples = 1 << 20; }, "between 1 and 65536");
  bad([](InputParams& p) { p.blocksize = uint64_t(1) << 40; }, "exceeds the maximum");
}

}  // namespace
}  // namespace codex::prover::slots
