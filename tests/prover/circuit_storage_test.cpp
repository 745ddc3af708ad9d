// The storage-proof circuit (prover/circuit/storage_circuit.h) and the circuit
// input JSON parser (prover/slots/circuit_input.h): satisfying witnesses for
// reference inputs and freshly built slots, the sampled indices against the
// reference sampler, clear errors for inputs that do not satisfy the
// statement, the shape-only build and the constraint counts.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "prover/circuit/storage_circuit.h"
#include "prover/error.h"
#include "prover/formats/r1cs_file.h"
#include "prover/groth16/prover.h"
#include "prover/groth16/setup.h"
#include "prover/groth16/verifier.h"
#include "prover/groth16/zkey_file.h"
#include "prover/poseidon2/bytes.h"
#include "prover/slots/builder.h"
#include "prover/slots/circuit_input.h"
#include "prover/slots/fake_data.h"
#include "prover/slots/layout.h"
#include "prover/slots/sampler.h"
#include "support/shell.h"

namespace codex::prover::circuit {
namespace {

using test_support::read_file;
using test_support::tiny_params;

const std::string kInputs = std::string(CODEX_SOURCE_DIR) + "/tests/data/zk-inputs/";

slots::ProofInput tiny_vector() {
  return slots::parse_circuit_json(read_file(kInputs + "tiny_d8_s4_c128_b512_n2_input.json"),
                                   tiny_params().shape());
}

// Expects build_storage_circuit to throw InvalidInput whose message contains
// `needle`.
void expect_rejected(const StorageParams& p, const slots::ProofInput& in,
                     const std::string& needle) {
  try {
    build_storage_circuit(p, in);
    ADD_FAILURE() << "accepted; expected an error containing \"" << needle << "\"";
  } catch (const InvalidInput& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}

// The witness value of wire w as a uint64 (test values are small).
uint64_t small_value(const CircuitBuilder& cb, Wire w) {
  return cb.witness()[w].to_int()[0];
}

void expect_satisfying(const StorageParams& p, const slots::ProofInput& in) {
  StorageCircuit c = build_storage_circuit(p, in);
  EXPECT_EQ(c.cb.first_unsatisfied(), std::nullopt);
  ASSERT_EQ(c.cb.num_public(), 3u);
  EXPECT_EQ(c.cb.witness()[1], in.entropy);
  EXPECT_EQ(c.cb.witness()[2], in.dataset_root);
  EXPECT_EQ(small_value(c.cb, 3), in.slot_index);
  EXPECT_EQ(c.cell_indices,
            slots::sample_cell_indices(in.entropy, in.slot_root, in.n_cells_per_slot, p.n_samples));
}

TEST(StorageCircuit, TinyVectorSatisfiesAndSamplesLikeTheReference) {
  const StorageParams p = tiny_params();
  const slots::ProofInput in = tiny_vector();
  StorageCircuit c = build_storage_circuit(p, in);
  EXPECT_TRUE(c.cb.is_satisfied());
  EXPECT_EQ(c.cell_indices, (std::vector<uint64_t>{4, 5}));
  EXPECT_EQ(c.cb.witness()[1].to_decimal(), "1234567");
  EXPECT_EQ(c.cb.witness()[2].to_decimal(),
            "6170987333047734944456183084328608638475360156526780280815598164034234478721");
  EXPECT_EQ(small_value(c.cb, 3), 1u);
  // Private inputs follow the public ones in §3.2 order.
  EXPECT_EQ(c.cb.witness()[4], in.slot_root);
  EXPECT_EQ(small_value(c.cb, 5), 16u);
  EXPECT_EQ(small_value(c.cb, 6), 3u);
  EXPECT_EQ(c.cb.witness()[7], in.slot_proof[0]);
  EXPECT_EQ(c.cb.witness()[9], in.cell_data[0][0]);
  EXPECT_EQ(c.cb.witness()[9 + 2 * 5], in.merkle_paths[0][0]);
  EXPECT_EQ(p.num_private_inputs(), 3u + 2 + 2 * 5 + 2 * 8);
  // At most the circom reference's 8,880 constraints.
  EXPECT_LE(c.cb.num_constraints(), 8880u);
  EXPECT_EQ(c.cb.num_constraints(), 7854u);
  // The witness generation is the circuit's: tampering any wire breaks it.
  c.cb.set_value(9, c.cb.witness()[9] + Fr::one());
  EXPECT_TRUE(c.cb.first_unsatisfied().has_value());
}

TEST(StorageCircuit, ShapeBuildHasTheSameConstraintSystem) {
  const StorageParams p = tiny_params();
  StorageCircuit real = build_storage_circuit(p, tiny_vector());
  CircuitBuilder shape = build_storage_shape(p);
  EXPECT_EQ(shape.num_wires(), real.cb.num_wires());
  EXPECT_EQ(shape.num_public(), 3u);
  ASSERT_EQ(shape.num_constraints(), real.cb.num_constraints());
  for (size_t i = 0; i < shape.num_constraints(); ++i) {
    const Constraint& a = shape.constraints()[i];
    const Constraint& b = real.cb.constraints()[i];
    ASSERT_TRUE(a.a == b.a && a.b == b.b && a.c == b.c) << "constraint " << i;
  }
}

TEST(StorageCircuit, WitnessOnlyModeGivesTheSameWitness) {
  const StorageParams p = tiny_params();
  StorageCircuit full = build_storage_circuit(p, tiny_vector());
  StorageCircuit lean = build_storage_circuit(p, tiny_vector(), CircuitBuilder::Mode::kWitnessOnly);
  EXPECT_EQ(lean.cb.witness(), full.cb.witness());
  EXPECT_EQ(lean.cb.num_constraints(), full.cb.num_constraints());
  EXPECT_TRUE(lean.cb.constraints().empty());
}

// A dataset of `nslots` slots built by the slots builder from a block
// function; cells of 128 bytes, blocks of 512 (the tiny parameters).
struct TinyDataset {
  slots::SlotLayout layout;
  slots::BlockReader read;
  slots::DatasetTree tree;

  TinyDataset(uint64_t blocks, uint64_t nslots, slots::BlockReader r)
      : layout(blocks, nslots, 512, 128),
        read(std::move(r)),
        tree(slots::build_dataset(layout, read)) {}

  slots::ProofInput input(uint64_t slot, const Fr& entropy, const StorageParams& p) const {
    slots::CircuitParams cp;
    cp.max_depth = p.max_depth;
    cp.max_log2_slots = p.max_log2_nslots;
    cp.n_samples = p.n_samples;
    return slots::build_proof_input(layout, tree, slot, entropy, cp, read);
  }
};

TEST(StorageCircuit, FakeDatasetReproducesTheTinyVector) {
  slots::SlotLayout layout = slots::fake_dataset_layout(3, 16, 512, 128);
  TinyDataset d(layout.blocks_count(), 3, slots::fake_block_reader(layout, 12345));
  const slots::ProofInput in = d.input(1, Fr::from_u64(1234567), tiny_params());
  EXPECT_EQ(slots::to_circuit_json(in), read_file(kInputs + "tiny_d8_s4_c128_b512_n2_input.json"));
  expect_satisfying(tiny_params(), in);
}

TEST(StorageCircuit, SlotsBuiltFromRealBytesGiveSatisfyingWitnesses) {
  // Bytes of a simple generator (not the fake-data rule); 3 data blocks per
  // slot, padded to 4 (16 cells), 4 slots (a full dataset tree).
  auto reader = [](uint64_t index, std::span<uint8_t> out) {
    uint32_t x = 2463534242u + uint32_t(index) * 7919u;
    for (auto& b : out) {
      x ^= x << 13;
      x ^= x >> 17;
      x ^= x << 5;
      b = uint8_t(x);
    }
  };
  TinyDataset d(12, 4, reader);
  StorageParams p = tiny_params();
  for (uint64_t slot = 0; slot < 4; ++slot) {
    for (uint64_t e : {1u, 99u, 123456789u}) {
      expect_satisfying(p, d.input(slot, Fr::from_u64(e), p));
    }
  }
  // One wrong byte in the second sampled cell (slot 2's data as stored, with
  // a flipped byte): the witness generation names that sample and cell.
  {
    const slots::ProofInput good = d.input(2, Fr::from_u64(99), p);
    const std::vector<uint64_t> cells =
        slots::sample_cell_indices(good.entropy, good.slot_root, good.n_cells_per_slot, 2);
    const uint64_t pos = cells[1] / 4, cell = cells[1] % 4;
    const uint64_t block_index = d.layout.slot_block_indices(2)[pos];
    std::vector<uint8_t> block(512, 0);
    if (!d.layout.is_pad(block_index)) reader(block_index, block);
    block[cell * 128 + 77] ^= 0x10;
    slots::ProofInput bad = good;
    bad.cell_data[1] = poseidon2::bytes_to_field_elements(
        std::span<const uint8_t>(block).subspan(cell * 128, 128));
    ASSERT_NE(bad.cell_data[1], good.cell_data[1]);
    expect_rejected(p, bad,
                    "sample 2 (cell " + std::to_string(cells[1]) +
                        "): cellData and Merkle path do not lead to slotRoot");
  }
  // More samples and a single-slot dataset (no dataset path levels).
  p.n_samples = 5;
  TinyDataset one(2, 1, reader);  // one slot of 8 cells
  expect_satisfying(p, one.input(0, Fr::from_u64(7), p));
  expect_satisfying(p, d.input(2, Fr::from_u64(5), p));
}

// A Groth16 proof of a slot built from plain bytes (not the fake-data rule)
// verifies with its public inputs and fails with any of them changed or the
// proof tampered with.
TEST(StorageCircuit, ProofForASlotBuiltFromRealBytesVerifies) {
  auto reader = [](uint64_t index, std::span<uint8_t> out) {
    for (size_t i = 0; i < out.size(); ++i)
      out[i] = uint8_t((index * 131 + i * 7) ^ (i >> 3));
  };
  TinyDataset d(6, 2, reader);
  const StorageParams p = tiny_params();
  const slots::ProofInput in = d.input(1, Fr::from_u64(424242), p);
  StorageCircuit c = build_storage_circuit(p, in);
  formats::R1cs r1cs;
  r1cs.header = formats::r1cs_header_of(c.cb, p.num_private_inputs());
  r1cs.constraints = c.cb.constraints();
  groth16::SetupResult keys = groth16::dev_setup(r1cs, "real-bytes-test");
  const std::string zkey_path = std::filesystem::temp_directory_path() /
                                ("codex-real-bytes-" + std::to_string(getpid()) + ".zkey");
  groth16::write_zkey(zkey_path, keys.pk);
  groth16::ProveResult proved = [&] {
    groth16::ZkeyReader zkey(zkey_path);
    return groth16::prove(zkey, c.cb.witness());
  }();
  std::filesystem::remove(zkey_path);

  const std::vector<Fr> pub = slots::public_inputs(in);
  EXPECT_EQ(proved.public_inputs, pub);
  EXPECT_TRUE(groth16::verify(keys.vk, pub, proved.proof));
  for (size_t i = 0; i < pub.size(); ++i) {
    std::vector<Fr> changed = pub;
    changed[i] += Fr::one();
    EXPECT_FALSE(groth16::verify(keys.vk, changed, proved.proof)) << "public input " << i;
  }
  groth16::Proof tampered = proved.proof;
  tampered.c = -tampered.c;
  EXPECT_FALSE(groth16::verify(keys.vk, pub, tampered));
}

TEST(StorageCircuit, WrongCellDataIsReportedBySampleAndCell) {
  const StorageParams p = tiny_params();
  slots::ProofInput in = tiny_vector();
  in.cell_data[1][3] += Fr::one();
  expect_rejected(p, in, "sample 2 (cell 5): cellData and Merkle path do not lead to slotRoot");
  in = tiny_vector();
  in.cell_data[0][0] += Fr::one();
  expect_rejected(p, in, "sample 1 (cell 4)");
}

TEST(StorageCircuit, TamperedPathsAreReported) {
  const StorageParams p = tiny_params();
  slots::ProofInput in = tiny_vector();
  in.merkle_paths[0][2] += Fr::one();  // slot-tree level
  expect_rejected(p, in, "sample 1 (cell 4)");
  in = tiny_vector();
  in.merkle_paths[1][0] += Fr::one();  // block-tree level
  expect_rejected(p, in, "sample 2 (cell 5)");
  // As in the reference circuit, entries above the slot tree's depth (here 4
  // of 8) are not part of the statement: a non-zero padding entry is accepted.
  in = tiny_vector();
  in.merkle_paths[1][7] = Fr::one();
  EXPECT_TRUE(build_storage_circuit(p, in).cb.is_satisfied());
  in = tiny_vector();
  in.slot_proof[1] += Fr::one();
  expect_rejected(p, in, "slotProof does not lead from slotRoot (slot 1 of 3) to dataSetRoot");
  in = tiny_vector();
  in.dataset_root += Fr::one();
  expect_rejected(p, in, "slotProof does not lead");
  in = tiny_vector();
  in.slot_root += Fr::one();  // changes the samples and the dataset path
  expect_rejected(p, in, "slotProof does not lead");
}

TEST(StorageCircuit, WrongScalarsAreReported) {
  const StorageParams p = tiny_params();
  slots::ProofInput in = tiny_vector();
  in.slot_index = 0;
  expect_rejected(p, in, "slotProof does not lead from slotRoot (slot 0 of 3)");
  in.slot_index = 4;
  expect_rejected(p, in, "slotIndex 4 does not fit in 2 bits");
  in = tiny_vector();
  in.n_slots_per_dataset = 0;
  expect_rejected(p, in, "nSlotsPerDataSet 0 is not in 1..4");
  in.n_slots_per_dataset = 5;
  expect_rejected(p, in, "nSlotsPerDataSet 5 is not in 1..4");
  in.n_slots_per_dataset = 2;  // the path then stops one level early
  expect_rejected(p, in, "slotProof does not lead");
  in = tiny_vector();
  for (uint64_t bad : {0u, 1u, 12u, 17u, 512u}) {
    in.n_cells_per_slot = bad;
    expect_rejected(p, in, "nCellsPerSlot " + std::to_string(bad) + " is not a power of two");
  }
  in.n_cells_per_slot = 32;  // a power of two, but not this slot's: other samples
  expect_rejected(p, in, "do not lead to slotRoot");
}

TEST(StorageCircuit, WrongShapesAndParametersAreReported) {
  const StorageParams p = tiny_params();
  slots::ProofInput in = tiny_vector();
  in.cell_data[1].pop_back();
  expect_rejected(p, in, "cellData[1] has 4 entries, the circuit needs 5");
  in = tiny_vector();
  in.merkle_paths.pop_back();
  expect_rejected(p, in, "merklePaths has 1 entries, the circuit needs 2");
  in = tiny_vector();
  in.slot_proof.push_back(Fr::zero());
  expect_rejected(p, in, "slotProof has 3 entries");
  StorageParams q = p;
  q.block_tree_depth = 8;
  EXPECT_THROW(build_storage_shape(q), InvalidInput);
  q = p;
  q.n_samples = 0;
  EXPECT_THROW(build_storage_shape(q), InvalidInput);
  q = p;
  q.max_log2_nslots = 0;
  EXPECT_THROW(build_storage_shape(q), InvalidInput);
}

TEST(StorageCircuit, ConstraintCountsAtProductionParameters) {
  StorageParams p;  // SampleAndProve(32, 8, 5, 67, n)
  size_t counts[2];
  for (uint32_t i = 0; i < 2; ++i) {
    p.n_samples = i + 1;
    counts[i] = build_storage_shape(p).num_constraints();
  }
  const size_t fixed = 2 * counts[0] - counts[1], per_sample = counts[1] - counts[0];
  EXPECT_EQ(fixed, 2016u);
  EXPECT_EQ(per_sample, 17019u);
  // The circom reference: 2,022 + 17,556·nSamples.
  for (size_t n : {1u, 5u, 100u})
    EXPECT_LE(fixed + per_sample * n, 2022 + 17556 * n);
}

TEST(StorageCircuit, ProductionExampleInputs) {
  const StorageParams p;  // nSamples 5
  struct Case {
    const char* file;
    std::vector<uint64_t> cells;
  };
  for (const Case& c : {Case{"codex_example_input.json", {339, 370, 217, 406, 416}},
                        Case{"prod5_entropy1234567_input.json", {287, 21, 307, 157, 508}}}) {
    const slots::ProofInput in = slots::parse_circuit_json(read_file(kInputs + c.file), p.shape());
    StorageCircuit sc = build_storage_circuit(p, in);
    EXPECT_EQ(sc.cell_indices, c.cells) << c.file;
    EXPECT_EQ(sc.cb.num_constraints(), 2016u + 17019u * 5);
    EXPECT_EQ(sc.cb.first_unsatisfied(), std::nullopt) << c.file;
  }
  slots::ProofInput in =
      slots::parse_circuit_json(read_file(kInputs + "codex_example_input.json"), p.shape());
  in.cell_data[1][66] += Fr::one();
  expect_rejected(p, in, "sample 2 (cell 370): cellData and Merkle path do not lead to slotRoot");
}

// --- Circuit input JSON ----------------------------------------------------

TEST(CircuitInputJson, RoundTripsTheVectorFiles) {
  for (const char* f : {"codex_example_input.json", "prod5_entropy1234567_input.json",
                        "tiny_d8_s4_c128_b512_n2_input.json"}) {
    const std::string text = read_file(kInputs + f);
    EXPECT_EQ(slots::to_circuit_json(slots::parse_circuit_json(text)), text) << f;
  }
  const slots::ProofInput in = tiny_vector();
  EXPECT_EQ(in.slot_index, 1u);
  EXPECT_EQ(in.n_cells_per_slot, 16u);
  EXPECT_EQ(in.n_slots_per_dataset, 3u);
  EXPECT_EQ(in.cell_data.size(), 2u);
  EXPECT_EQ(in.merkle_paths[1].size(), 8u);
}

// The tiny vector with `from` replaced by `to` (first occurrence).
std::string edited(const std::string& from, const std::string& to) {
  std::string t = read_file(kInputs + "tiny_d8_s4_c128_b512_n2_input.json");
  size_t at = t.find(from);
  if (at == std::string::npos) throw std::runtime_error("no " + from);
  return t.replace(at, from.size(), to);
}

void expect_bad_json(const std::string& text, const std::string& needle,
                     const slots::CircuitShape& shape = {}) {
  try {
    slots::parse_circuit_json(text, shape);
    ADD_FAILURE() << "accepted; expected an error containing \"" << needle << "\"";
  } catch (const InvalidInput& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}

TEST(CircuitInputJson, AcceptsDecimalStringsForCountsAndNumbersForElements) {
  slots::ProofInput a =
      slots::parse_circuit_json(edited("\"slotIndex\": 1", "\"slotIndex\": \"1\""));
  EXPECT_EQ(a.slot_index, 1u);
  slots::ProofInput b =
      slots::parse_circuit_json(edited("\"entropy\": \"1234567\"", "\"entropy\": 1234567"));
  EXPECT_EQ(b.entropy, Fr::from_u64(1234567));
}

TEST(CircuitInputJson, RejectsBadInputWithTheKey) {
  const std::string r =
      "21888242871839275222246405745257275088548364400416034343698204186575808495617";
  expect_bad_json(edited("\"entropy\": \"1234567\",", ""), "key \"entropy\": missing");
  expect_bad_json(edited("\"entropy\"", "\"entropyy\""), "key \"entropyy\": unknown key");
  expect_bad_json(edited("\"entropy\": \"1234567\"", "\"entropy\": \"01234567\""),
                  "entropy: \"01234567\" has a leading zero");
  expect_bad_json(edited("\"entropy\": \"1234567\"", "\"entropy\": \"0x12\""),
                  "entropy: \"0x12\" is not a non-negative decimal");
  expect_bad_json(edited("\"entropy\": \"1234567\"", "\"entropy\": \"-1\""), "entropy: \"-1\"");
  expect_bad_json(edited("\"entropy\": \"1234567\"", "\"entropy\": 1.5"), "entropy: \"1.5\"");
  expect_bad_json(edited("\"entropy\": \"1234567\"", "\"entropy\": \"\""), "entropy");
  expect_bad_json(edited("\"entropy\": \"1234567\"", "\"entropy\": \" 1\""), "entropy");
  expect_bad_json(edited("\"entropy\": \"1234567\"", "\"entropy\": \"" + r + "\""),
                  "entropy: value " + r + " is not a canonical");
  expect_bad_json(edited("\"entropy\": \"1234567\"", "\"entropy\": [\"1\"]"),
                  "entropy: expected a decimal string, got array");
  expect_bad_json(edited("\"slotIndex\": 1", "\"slotIndex\": 18446744073709551616"),
                  "slotIndex: 18446744073709551616 does not fit in 64 bits");
  expect_bad_json(edited("\"slotIndex\": 1", "\"slotIndex\": null"), "slotIndex");
  expect_bad_json(edited("\"slotProof\": [", "\"slotProof\": [\"0\","), "slotProof: has 3 entries",
                  tiny_params().shape());
  expect_bad_json(edited("\"slotProof\": [", "\"slotProof\": [\"x\","), "slotProof[0]");
  expect_bad_json(edited("\"cellData\": [\n  [", "\"cellData\": [\n  [\"1\","),
                  "cellData[1]: has 5 entries, expected 6");
  expect_bad_json(edited("\"cellData\": [\n  [", "\"cellData\": [\n  [\"1\","),
                  "cellData[0]: has 6 entries, expected 5", tiny_params().shape());
  expect_bad_json(edited("\"merklePaths\": [", "\"merklePaths\": [[\"1\"],"),
                  "merklePaths: has 3 entries, expected 2");
  expect_bad_json(edited("\"cellData\": [", "\"cellData\": {\"a\": ["), "");
  expect_bad_json("[1, 2]", "expected an object, got array");
  expect_bad_json("{", "");
  expect_bad_json("", "");
}

}  // namespace
}  // namespace codex::prover::circuit
