// Development setup, .zkey files and the Groth16 prover on small builder
// circuits: setup → prove → verify accepts; tampered proofs and public inputs
// are rejected; the zkey round-trips; damaged zkeys are rejected clearly.
#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "groth16_test_circuit.h"
#include "prover/error.h"
#include "prover/formats/r1cs_file.h"
#include "prover/groth16/prover.h"
#include "prover/groth16/setup.h"
#include "prover/groth16/verifier.h"
#include "prover/groth16/zkey_file.h"
#include "support/shell.h"

namespace codex::prover::groth16 {
namespace {

namespace fs = std::filesystem;
using test_support::Bytes;

formats::R1cs to_r1cs(const circuit::CircuitBuilder& cb) {
  formats::R1cs r;
  r.header = formats::r1cs_header_of(cb, 1);
  r.constraints = cb.constraints();
  return r;
}

// √a in Fq2 (q ≡ 3 mod 4: Adj and Rodríguez-Henríquez, algorithm 9), if any.
std::optional<curve::Fq2> fq2_sqrt(const curve::Fq2& a) {
  auto shifted = [](uint64_t sub, unsigned sh) {
    std::array<uint64_t, 4> e = Fq::kModulus;
    e[0] -= sub;
    for (int i = 0; i < 4; ++i)
      e[i] = (e[i] >> sh) | (i < 3 ? e[i + 1] << (64 - sh) : 0);
    return e;
  };
  const auto e34 = shifted(3, 2), e12 = shifted(1, 1);
  curve::Fq2 a1 = a.pow(e34);
  curve::Fq2 x0 = a1 * a;
  curve::Fq2 alpha = a1 * x0;
  curve::Fq2 x;
  if (alpha == -curve::Fq2::one()) {
    x = curve::Fq2(-x0.c1, x0.c0);  // i·x0
  } else {
    x = (curve::Fq2::one() + alpha).pow(e12) * x0;
  }
  if (x.square() != a) return std::nullopt;
  return x;
}

class Groth16Prove : public ::testing::Test {
 protected:
  std::string path(const std::string& name) const { return dir_.path(name); }
  static Bytes load(const std::string& p) { return test_support::load_bytes(p); }
  static void save(const std::string& p, const Bytes& b) { test_support::save_bytes(p, b); }
  test_support::TempDir dir_{"codex-g16"};
};

TEST(Groth16Setup, SnarkjsDomainRule) {
  EXPECT_EQ(snarkjs_domain_log(89802, 3), 17u);
  EXPECT_EQ(snarkjs_domain_log(19578, 3), 15u);
  EXPECT_EQ(snarkjs_domain_log(8880, 3), 14u);
  EXPECT_EQ(snarkjs_domain_log(8192 - 3, 3), 14u);  // 8192 rows + 4 binding > 2^13
  EXPECT_EQ(snarkjs_domain_log(8191 - 3, 3), 13u);
  EXPECT_THROW(snarkjs_domain_log(uint64_t(1) << 27, 0), InvalidInput);
}

TEST_F(Groth16Prove, ProveVerifyAndTamper) {
  auto cb = testing::poseidon2_chain_circuit(2);
  ASSERT_TRUE(cb.is_satisfied());
  auto setup = dev_setup(to_r1cs(cb), "test-seed", 2);
  EXPECT_EQ(setup.pk.header.domain_size, 512u);  // 481 constraints + 3 public
  groth16::write_zkey(path("k.zkey"), setup.pk);
  groth16::ZkeyReader zkey(path("k.zkey"));
  ProveResult res = prove(zkey, cb.witness(), 2);
  ASSERT_EQ(res.public_inputs.size(), 3u);
  EXPECT_EQ(res.public_inputs[2], cb.witness()[3]);
  PreparedVerifier v(setup.vk);
  EXPECT_TRUE(v.verify(res.public_inputs, res.proof));

  // Fresh randomness: a different proof of the same statement.
  ProveResult res2 = prove(zkey, cb.witness(), 1);
  EXPECT_NE(res.proof, res2.proof);
  EXPECT_TRUE(v.verify(res2.public_inputs, res2.proof));
  // Fixed randomness: reproducible and independent of the thread count.
  EXPECT_EQ(prove_with_randomness(zkey, cb.witness(), Fr::from_u64(3), Fr::from_u64(4), 1).proof,
            prove_with_randomness(zkey, cb.witness(), Fr::from_u64(3), Fr::from_u64(4), 2).proof);
  // r = s = 0 still verifies (the blinding is not what makes it valid).
  EXPECT_TRUE(
      v.verify(res.public_inputs, prove_with_randomness(zkey, cb.witness(), Fr(), Fr(), 2).proof));

  for (size_t i = 0; i < 3; ++i) {
    auto pub = res.public_inputs;
    pub[i] += Fr::one();
    EXPECT_FALSE(v.verify(pub, res.proof)) << "public input " << i;
  }
  Proof p = res.proof;
  p.a = (curve::G1(p.a) + curve::G1(curve::g1_generator())).to_affine();
  EXPECT_FALSE(v.verify(res.public_inputs, p));
  p = res.proof;
  p.c = (-curve::G1(p.c)).to_affine();
  EXPECT_FALSE(v.verify(res.public_inputs, p));
  p = res.proof;
  p.b = (curve::G2(p.b).dbl()).to_affine();
  EXPECT_FALSE(v.verify(res.public_inputs, p));

  // A witness that breaks one constraint gives a proof that does not verify.
  auto bad = cb;
  bad.set_value(cb.num_wires() - 1, cb.witness().back() + Fr::one());
  ASSERT_FALSE(bad.is_satisfied());
  ProveResult forged = prove(zkey, bad.witness(), 2);
  EXPECT_FALSE(v.verify(forged.public_inputs, forged.proof));

  // Another seed: another key; proofs do not cross.
  auto other = dev_setup(to_r1cs(cb), "other-seed", 2);
  EXPECT_FALSE(verify(other.vk, res.public_inputs, res.proof));
  // The same seed: the same key.
  auto again = dev_setup(to_r1cs(cb), "test-seed", 1);
  EXPECT_EQ(again.vk.ic, setup.vk.ic);
  EXPECT_EQ(again.pk.h, setup.pk.h);

  // Wrong witness length / wire 0.
  auto w = cb.witness();
  w.pop_back();
  EXPECT_THROW(prove(zkey, w, 1), InvalidInput);
  w = cb.witness();
  w[0] = Fr::from_u64(2);
  EXPECT_THROW(prove(zkey, w, 1), InvalidInput);
}

TEST_F(Groth16Prove, ZkeyRoundTripAndVerificationKey) {
  auto cb = testing::poseidon2_chain_circuit(1);
  auto setup = dev_setup(to_r1cs(cb), "rt", 2);
  groth16::write_zkey(path("k.zkey"), setup.pk);
  groth16::ZkeyReader zkey(path("k.zkey"));
  zkey.check_points(2);
  groth16::ProvingKey pk = zkey.read_all(2);
  EXPECT_EQ(pk.header.n_vars, setup.pk.header.n_vars);
  EXPECT_EQ(pk.header.n_public, 3u);
  EXPECT_EQ(pk.header.alpha1, setup.pk.header.alpha1);
  EXPECT_EQ(pk.header.delta2, setup.pk.header.delta2);
  EXPECT_EQ(pk.ic, setup.pk.ic);
  EXPECT_EQ(pk.a, setup.pk.a);
  EXPECT_EQ(pk.b1, setup.pk.b1);
  EXPECT_EQ(pk.b2, setup.pk.b2);
  EXPECT_EQ(pk.c, setup.pk.c);
  EXPECT_EQ(pk.h, setup.pk.h);
  ASSERT_EQ(pk.coefs.size(), setup.pk.coefs.size());
  for (size_t i = 0; i < pk.coefs.size(); ++i) {
    EXPECT_EQ(pk.coefs[i].matrix, setup.pk.coefs[i].matrix);
    EXPECT_EQ(pk.coefs[i].row, setup.pk.coefs[i].row);
    EXPECT_EQ(pk.coefs[i].wire, setup.pk.coefs[i].wire);
    EXPECT_EQ(pk.coefs[i].value, setup.pk.coefs[i].value);
  }
  // The last nPublic + 1 entries bind the public inputs.
  for (uint32_t s = 0; s <= 3; ++s) {
    const auto& c = pk.coefs[pk.coefs.size() - 4 + s];
    EXPECT_EQ(c.matrix, 0u);
    EXPECT_EQ(c.row, cb.num_constraints() + s);
    EXPECT_EQ(c.wire, s);
    EXPECT_TRUE(c.value.is_one());
  }
  // Writing the parsed key again gives the same bytes.
  groth16::write_zkey(path("k2.zkey"), pk);
  EXPECT_EQ(load(path("k.zkey")), load(path("k2.zkey")));
  auto vk = zkey.verification_key();
  EXPECT_EQ(vk.ic, setup.vk.ic);
  EXPECT_EQ(vk.gamma2, setup.vk.gamma2);
  EXPECT_EQ(vk.alphabeta12, setup.vk.alphabeta12);
  // Section sizes of §5.3 (3 public inputs).
  Bytes b = load(path("k.zkey"));
  const size_t nv = cb.num_wires();
  EXPECT_EQ(b.size(), 12 + 10 * 12 + 4 + 660 + 256 + (4 + 44 * pk.coefs.size()) + 64 * nv +
                          64 * nv + 128 * nv + 64 * (nv - 4) + 64 * 256 + 68);
  EXPECT_EQ(pk.header.domain_size, 256u);  // 241 constraints + 3 public
}

TEST_F(Groth16Prove, DamagedZkeyIsRejected) {
  auto cb = testing::poseidon2_chain_circuit(1);
  auto setup = dev_setup(to_r1cs(cb), "dmg", 2);
  groth16::write_zkey(path("k.zkey"), setup.pk);
  const Bytes good = load(path("k.zkey"));
  // Section payload offsets, in id order (our writer).
  std::vector<size_t> off(11), len(11);
  size_t pos = 12;
  for (int i = 1; i <= 10; ++i) {
    uint32_t id;
    uint64_t l;
    std::memcpy(&id, &good[pos], 4);
    std::memcpy(&l, &good[pos + 4], 8);
    off[id] = pos + 12;
    len[id] = l;
    pos += 12 + l;
  }
  auto expect_bad = [&](const Bytes& b, const std::string& needle, bool on_points = false) {
    save(path("bad.zkey"), b);
    try {
      groth16::ZkeyReader z(path("bad.zkey"));
      if (on_points) z.check_points(1);
      ADD_FAILURE() << "accepted; expected: " << needle;
    } catch (const InvalidInput& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
  };
  expect_bad(Bytes(good.begin(), good.begin() + good.size() / 3), "truncated");
  {
    Bytes b = good;
    b[1] = 'X';
    expect_bad(b, "wrong magic");
  }
  {
    Bytes b = good;
    b[off[1]] = 2;
    expect_bad(b, "not Groth16");
  }
  {
    Bytes b = good;
    b[off[2] + 4] ^= 1;
    expect_bad(b, "prime");
  }
  {
    Bytes b = good;
    b[off[2] + 72 + 4] ^= 1;  // nVars + 1: section sizes no longer match
    expect_bad(b, "size mismatch");
  }
  {
    Bytes b = good;
    b[off[2] + 80] = 3;  // domain size 515: not a power of two
    expect_bad(b, "power of two");
  }
  {
    Bytes b = good;
    b[off[2] + 84 + 5] ^= 1;  // alpha1.x
    expect_bad(b, "alpha1");
  }
  {
    Bytes b = good;
    b[off[2] + 84 + 64 + 64 + 128 + 3] ^= 1;  // gamma2.x.c0
    expect_bad(b, "gamma2");
  }
  {
    Bytes b = good;
    std::memset(&b[off[4] + 4 + 8], 0xff, 4);  // coefficient 0: wire id
    expect_bad(b, "out of range");
  }
  {
    Bytes b = good;
    std::memset(&b[off[4] + 4 + 12], 0xff, 32);  // coefficient 0: value
    expect_bad(b, "not canonical");
  }
  {
    Bytes b = good;
    b[off[4] + 4] = 2;  // matrix 2
    expect_bad(b, "matrix 2");
  }
  {
    Bytes b = good;
    b[off[5] + 64 * 5 + 1] ^= 1;  // A point 5 off the curve
    expect_bad(b, "(A) point 5", true);
  }
  {
    Bytes b = good;
    b[off[7] + 128 * 2 + 1] ^= 1;  // B2 point 2 off the twist
    expect_bad(b, "(B2) point 2", true);
  }
  {
    // A B2 point on the twist but outside G2: x = 1 gives a twist point whose
    // order is not r (checked below by the subgroup test itself).
    Bytes b = good;
    // Find a twist point by trying x = 1, 2, ...
    curve::G2Affine p;
    for (uint64_t k = 1;; ++k) {
      curve::Fq2 xx(Fq::from_u64(k), Fq());
      curve::Fq2 rhs = xx.square() * xx + curve::G2Curve::b();
      if (auto s = fq2_sqrt(rhs)) {
        p = curve::G2Affine(xx, *s);
        break;
      }
    }
    ASSERT_TRUE(p.is_on_curve());
    ASSERT_FALSE(curve::g2_in_subgroup(p));
    uint8_t* q = &b[off[7] + 128 * 3];
    std::memcpy(q, p.x.c0.montgomery().data(), 32);
    std::memcpy(q + 32, p.x.c1.montgomery().data(), 32);
    std::memcpy(q + 64, p.y.c0.montgomery().data(), 32);
    std::memcpy(q + 96, p.y.c1.montgomery().data(), 32);
    expect_bad(b, "(B2) point 3 is not in G2", true);
  }
  {
    Bytes b = good;
    b.resize(b.size() - 68 - 12);  // drop section 10
    b[8] = 9;
    expect_bad(b, "missing section 10");
  }
}

}  // namespace
}  // namespace codex::prover::groth16
