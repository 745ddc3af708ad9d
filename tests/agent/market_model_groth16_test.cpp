// The model standing in for a marketplace deployed with Groth16Verifier: a real
// Groth16 proof (development setup of a small circuit whose public inputs are
// the contract's [challenge, dataset root, slot index], spec §11) fills a slot;
// the same proof for another slot or block, or with a point changed, is
// Proofs_InvalidProof, as the contract would have it.
#include <gtest/gtest.h>

#include "agent/market/model/groth16_verifier.h"
#include "agent/market/periods.h"
#include "agent/market/proof_mapping.h"
#include "prover/circuit/r1cs.h"
#include "prover/formats/r1cs_file.h"
#include "prover/groth16/prover.h"
#include "prover/groth16/setup.h"
#include "prover/groth16/zkey_file.h"
#include "tests/agent/support/market_model_world.h"
#include "tests/support/temp_dir.h"

namespace codex::market {
namespace {

using prover::Fr;
using test::error_of;

Fr fr(const Uint256& x) {
  return Fr::from_bytes_be(x.to_be_bytes());
}

// Public entropy, root, index; one private wire s = entropy · root.
prover::circuit::CircuitBuilder circuit(const Uint256& entropy, const Uint256& root,
                                        uint64_t index) {
  using prover::circuit::LinearCombination;
  prover::circuit::CircuitBuilder cb;
  auto e = cb.add_public(fr(entropy));
  auto r = cb.add_public(fr(root));
  cb.add_public(Fr::from_u64(index));
  auto s = cb.add_private(fr(entropy) * fr(root));
  cb.add_constraint({LinearCombination(e), LinearCombination(r), LinearCombination(s)});
  return cb;
}

class Prover {
 public:
  Prover() {
    auto cb = circuit(Uint256(1), Uint256(1), 0);
    prover::formats::R1cs r1cs;
    r1cs.header = prover::formats::r1cs_header_of(cb, 1);
    r1cs.constraints = cb.constraints();
    auto setup = prover::groth16::dev_setup(r1cs, "market-model", 1);
    vk_ = setup.vk;
    prover::groth16::write_zkey((dir_ / "k.zkey").string(), setup.pk);
    zkey_ = std::make_unique<prover::groth16::ZkeyReader>((dir_ / "k.zkey").string());
  }
  const prover::groth16::VerificationKey& vk() const { return vk_; }
  Groth16Proof prove(const Hash& challenge, const Hash& root, uint64_t index) const {
    auto cb = circuit(challenge_to_field(challenge), merkle_root_to_field(root), index);
    return proof_from_prover(prover::groth16::prove(*zkey_, cb.witness(), 1).proof);
  }

 private:
  testing::TempDir dir_{"market-model-groth16"};
  prover::groth16::VerificationKey vk_;
  std::unique_ptr<prover::groth16::ZkeyReader> zkey_;
};

TEST(MarketModelGroth16, ARealProofFillsTheSlotItWasMadeFor) {
  Prover prover;
  model::ModelOptions o = test::ModelWorld::default_options();
  o.verifier = model::groth16_verifier(prover.vk());
  test::ModelWorld w(o);
  constexpr int kClient = 1, kHost = 2;
  Request r = w.request(kClient, 2, 600, 300, 1);
  r.content.merkle_root = Hash{};
  r.content.merkle_root[0] = 0x2a;  // a field element (little-endian, spec §11)
  const RequestId id = request_id(r);
  w.request_storage(r, kClient);
  w.reserve(kHost, id, 0);
  w.reserve(kHost, id, 1);
  w.approve(kHost, collateral_per_slot(r.ask) * Uint256(2));

  // The proof answers the challenge of the block the fill will be mined in.
  MarketApi& host = w.api(kHost);
  const Hash challenge = host.get_challenge(slot_id(id, 0), At::kPending);
  const Groth16Proof proof = prover.prove(challenge, r.content.merkle_root, 0);
  EXPECT_EQ(error_of([&] {
              host.execute(FillSlot{id, 1, proof});
            }),
            "Proofs_InvalidProof")
      << "another slot index";
  Groth16Proof bent = proof;
  bent.c.y = bent.c.y + Uint256(1);  // off the curve
  EXPECT_EQ(error_of([&] { host.execute(FillSlot{id, 0, bent}); }), "Proofs_InvalidProof");
  EXPECT_EQ(error_of([&] {
              host.execute(FillSlot{id, 0, Groth16Proof{}});
            }),
            "Proofs_InvalidProof")
      << "the all-zero proof (points at infinity) does not verify either";
  ASSERT_EQ(host.get_challenge(slot_id(id, 0), At::kPending), challenge) << "nothing was mined";
  EXPECT_EQ(error_of([&] { host.execute(FillSlot{id, 0, proof}); }), "");

  // A period later the challenge has moved on: last period's proof is refused.
  w.advance(w.config().proofs.period);
  EXPECT_EQ(error_of([&] {
              host.execute(SubmitProof{slot_id(id, 0), proof, 0});
            }),
            "Proofs_InvalidProof");
  const Hash next = host.get_challenge(slot_id(id, 0), At::kPending);
  EXPECT_EQ(
      error_of([&] {
        host.execute(SubmitProof{slot_id(id, 0), prover.prove(next, r.content.merkle_root, 0), 1});
      }),
      "");
}

}  // namespace
}  // namespace codex::market
