// Storage proofs of a stored slot (spec node.md §3): a real Groth16 proof of
// the storage circuit (a development key for a small circuit) that verifies
// with the public inputs the contract would pass, and refusals for data that
// is not what the manifest names.
#include <gtest/gtest.h>

#include <thread>

#include <fstream>
#include <random>

#include "agent/slots/slot_prover.h"
#include "agent/slots/verifiable.h"
#include "exchange/erasure/erasure.h"
#include "exchange/erasure/memory_dataset_blocks.h"
#include "exchange/error.h"
#include "exchange/multiformats/multicodec.h"
#include "prover/formats/r1cs_file.h"
#include "prover/groth16/setup.h"
#include "prover/groth16/verifier.h"
#include "prover/groth16/zkey_file.h"
#include "prover/slots/sampler.h"
#include "tests/support/temp_dir.h"

namespace codex::slots {
namespace {

using prover::Fr;

// 4 KiB blocks of two 2 KiB cells; up to 8 slots; slot trees up to depth 6.
prover::circuit::StorageParams small_params() {
  prover::circuit::StorageParams p;
  p.max_depth = 8;
  p.max_log2_nslots = 3;
  p.block_tree_depth = 1;
  p.n_field_elems_per_cell = 67;
  p.n_samples = 2;
  return p;
}

struct Keys {
  codex::testing::TempDir dir{"slot-prover"};
  std::filesystem::path zkey = dir.path() / "dev.zkey";
  prover::groth16::VerificationKey vk;
  Keys() {
    const auto p = small_params();
    auto cb = prover::circuit::build_storage_shape(p);
    prover::formats::R1cs r1cs;
    r1cs.header = prover::formats::r1cs_header_of(cb, uint32_t(p.num_private_inputs()));
    r1cs.constraints = cb.constraints();
    auto keys = prover::groth16::dev_setup(r1cs, "slot-prover-test");
    prover::groth16::write_zkey(zkey.string(), keys.pk);
    vk = keys.vk;
  }
};

const Keys& keys() {
  static const Keys k;
  return k;
}

struct Stored {
  erasure::MemoryDatasetBlocks blocks;
  Manifest verifiable;
};

std::unique_ptr<Stored> stored(uint64_t seed = 3) {
  auto s = std::make_unique<Stored>();
  std::vector<uint8_t> bytes(9 * 4096);
  std::mt19937_64 rng(seed);
  for (auto& b : bytes)
    b = uint8_t(rng());
  const Manifest plain = erasure::store_plain_dataset(s->blocks, bytes, 4096);
  erasure::Erasure e(s->blocks);
  s->verifiable = build_verifiable(s->blocks, e.encode(plain, {3, 2}));
  return s;
}

std::array<uint8_t, 32> challenge(uint8_t n) {
  std::array<uint8_t, 32> c{};
  for (size_t i = 0; i < c.size(); ++i)
    c[i] = uint8_t(n * 37 + i);
  return c;
}

TEST(SlotsProver, AProofOfAStoredSlotVerifiesWithTheContractsPublicInputs) {
  auto s = stored();
  SlotProver prover(keys().zkey, {small_params(), 0, 2});
  EXPECT_FALSE(prover.proving_seconds()) << "no proof made yet";
  const auto& v = *s->verifiable.erasure->verification;
  for (uint64_t slot : {0u, 4u}) {
    const auto ch = challenge(uint8_t(slot + 1));
    const SlotProof p = prover.prove(s->blocks, s->verifiable, slot, ch);
    const std::vector<Fr> expected = {prover::slots::entropy_from_challenge(ch),
                                      root_of(v.verify_root, multicodec::kProvingRoot),
                                      Fr::from_u64(slot)};
    EXPECT_EQ(p.public_inputs, expected) << "slot " << slot;
    EXPECT_TRUE(prover::groth16::verify(keys().vk, p.public_inputs, p.proof)) << "slot " << slot;
    std::vector<Fr> other = expected;
    other[0] += Fr::one();
    EXPECT_FALSE(prover::groth16::verify(keys().vk, other, p.proof)) << "another challenge";
  }
  ASSERT_TRUE(prover.proving_seconds());
  EXPECT_GT(*prover.proving_seconds(), 0.0) << "the node knows its proving time";

  // A figure measured long ago (here: a lifetime of 0 s) is not believed: a
  // host that once proved slowly under load takes slots again.
  SlotProverOptions o{small_params(), 0, 2};
  o.estimate_lifetime = std::chrono::seconds(0);
  SlotProver forgetful(keys().zkey, o);
  forgetful.prove(s->blocks, s->verifiable, 0, challenge(1));
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_FALSE(forgetful.proving_seconds());
}

TEST(SlotsProver, DataThatIsNotTheManifestsIsRefused) {
  auto s = stored();
  SlotProver prover(keys().zkey, {small_params(), 0, 2});
  // Roots of another dataset.
  auto other = stored(4);
  Manifest wrong = s->verifiable;
  wrong.erasure->verification = other->verifiable.erasure->verification;
  EXPECT_THROW(prover.prove(s->blocks, wrong, 1, challenge(1)), FormatError);
  // Nothing stored.
  erasure::MemoryDatasetBlocks empty;
  EXPECT_THROW(prover.prove(empty, s->verifiable, 1, challenge(1)), NotFoundError);
  EXPECT_THROW(prover.prove(s->blocks, s->verifiable, 5, challenge(1)), FormatError);
  // A key file that is not one.
  codex::testing::TempDir d("slot-prover-bad");
  std::ofstream(d.path() / "bad.zkey") << "not a zkey";
  EXPECT_ANY_THROW(SlotProver(d.path() / "bad.zkey", {small_params(), 0, 2}));
}

}  // namespace
}  // namespace codex::slots
