// snarkjs JSON readers and writers: round trips of the reference files, and
// damaged files rejected with a clear error (never a crash).
#include <gtest/gtest.h>

#include "prover/error.h"
#include "prover/formats/json.h"
#include "prover/groth16/snarkjs_json.h"

namespace codex::prover::groth16 {
namespace {

using formats::Json;
using formats::read_text_file;

std::string ref_file(const std::string& name) {
  return read_text_file(std::string(CODEX_SOURCE_DIR) + "/tests/data/codex-example/" + name);
}

// Expects parse(text) to throw InvalidInput whose message contains needle.
template <class Fn>
void expect_error(Fn parse, const std::string& text, const std::string& needle) {
  try {
    parse(text);
    ADD_FAILURE() << "accepted: " << text.substr(0, 120);
  } catch (const InvalidInput& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos)
        << "message: " << e.what() << "\nexpected to contain: " << needle;
  }
}

std::string replace(std::string s, const std::string& from, const std::string& to) {
  size_t at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) s.replace(at, from.size(), to);
  return s;
}

TEST(Json, StrictParser) {
  Json j = Json::parse(R"( {"a": [1, "x\"y", true, null, {}], "b": -0.5e3} )");
  ASSERT_TRUE(j.is_object());
  EXPECT_EQ(j.find("a")->items().size(), 5u);
  EXPECT_EQ(j.find("a")->items()[1].text(), "x\"y");
  EXPECT_EQ(j.find("b")->text(), "-0.5e3");
  EXPECT_EQ(j.find("c"), nullptr);
  auto parse = [](const std::string& s) { return Json::parse(s); };
  expect_error(parse, "", "unexpected end");
  expect_error(parse, "[1, 2", "expected ']'");
  expect_error(parse, "[1,]", "unexpected character ']'");
  expect_error(parse, "{\"a\": 1, \"a\": 2}", "duplicate key");
  expect_error(parse, "{a: 1}", "expected a string key");
  expect_error(parse, "[\"abc]", "unterminated string");
  expect_error(parse, "[\"\\u0041\"]", "unsupported escape");
  expect_error(parse, "[01]", "expected ']'");
  expect_error(parse, "[1.]", "malformed number");
  expect_error(parse, "[] x", "trailing");
  expect_error(parse, std::string(100, '[') + std::string(100, ']'), "nesting deeper");
  expect_error(parse, "[\n1,\n@]", "line 3, column 1");
}

TEST(SnarkjsJson, ReferenceRoundTrips) {
  auto proof = parse_proof_json(ref_file("proof.json"));
  EXPECT_EQ(proof.a.x.to_decimal(),
            "6534256117371673392078914918983405561950705741555607896616281548993166767050");
  // pi_b[0] = [x.c0, x.c1] (real first, the snarkjs order).
  EXPECT_EQ(proof.b.x.c1.to_decimal(),
            "12928862018496028019248584699701543976607635004280021323367162829172676142063");
  EXPECT_EQ(parse_proof_json(proof_to_json(proof)), proof);
  // snarkjs writes these files with the same layout.
  EXPECT_EQ(proof_to_json(proof), ref_file("proof.json"));

  auto pub = parse_public_json(ref_file("public.json"));
  ASSERT_EQ(pub.size(), 3u);
  EXPECT_EQ(pub[0], Fr::from_u64(10941033813ull));
  EXPECT_EQ(public_to_json(pub), ref_file("public.json"));
  EXPECT_EQ(parse_public_json(public_to_json({})).size(), 0u);

  auto vk = parse_verification_key_json(ref_file("verification_key_hardhat.json"));
  EXPECT_EQ(vk.num_public(), 3u);
  EXPECT_TRUE(vk.alphabeta12.has_value());
  auto vk2 = parse_verification_key_json(verification_key_to_json(vk));
  EXPECT_EQ(vk2.alpha1, vk.alpha1);
  EXPECT_EQ(vk2.delta2, vk.delta2);
  EXPECT_EQ(vk2.ic, vk.ic);
  EXPECT_EQ(vk2.alphabeta12, vk.alphabeta12);
  EXPECT_EQ(verification_key_to_json(vk), ref_file("verification_key_hardhat.json"));
}

// rapidsnark writes proof.json without "curve" and snarkjs accepts it (issue
// 11, defect 11): so do we; a "curve" that is there must still be bn128.
TEST(SnarkjsJson, ProofWithoutCurveIsAccepted) {
  const std::string good = ref_file("proof.json");
  const std::string no_curve = replace(good, ",\n \"curve\": \"bn128\"", "");
  ASSERT_EQ(no_curve.find("curve"), std::string::npos);
  EXPECT_EQ(parse_proof_json(no_curve), parse_proof_json(good));
  expect_error([](const std::string& s) { return parse_proof_json(s); },
               replace(good, "\"curve\": \"bn128\"", "\"curve\": \"bls12381\""),
               "\"curve\" must be \"bn128\"");
}

TEST(SnarkjsJson, RejectsDamagedProofs) {
  const std::string good = ref_file("proof.json");
  auto parse = [](const std::string& s) { return parse_proof_json(s); };
  expect_error(parse, good.substr(0, good.size() / 2), "malformed JSON");
  expect_error(parse, "[]", "expected a JSON object");
  expect_error(parse, replace(good, "\"pi_c\"", "\"pi_x\""), "missing \"pi_c\"");
  // y + 1: off the curve.
  expect_error(
      parse,
      replace(good, "4683704071819826577549511087725295557628226569657977399743888281350488008160",
              "4683704071819826577549511087725295557628226569657977399743888281350488008161"),
      "pi_a: point is not on the BN254 G1 curve");
  // A coordinate ≥ q.
  expect_error(
      parse,
      replace(good, "6534256117371673392078914918983405561950705741555607896616281548993166767050",
              "21888242871839275222246405745257275088696311157297823662689037894645226208583"),
      "not a canonical BN254 Fq element");
  expect_error(
      parse,
      replace(good, "6534256117371673392078914918983405561950705741555607896616281548993166767050",
              "0x10"),
      "pi_a[0]");
  // B with swapped real/imaginary parts of x: off the twist.
  std::string swapped = replace(
      good, "5214601005301447749408976517903523691026761713935248596363525026084207179898", "X");
  swapped = replace(swapped,
                    "12928862018496028019248584699701543976607635004280021323367162829172676142063",
                    "5214601005301447749408976517903523691026761713935248596363525026084207179898");
  swapped =
      replace(swapped, "\"X\"",
              "\"12928862018496028019248584699701543976607635004280021323367162829172676142063\"");
  expect_error(parse, swapped, "pi_b: point is not on the BN254 twist");
  expect_error(parse, replace(good, "\"protocol\": \"groth16\"", "\"protocol\": \"plonk\""),
               "\"protocol\" must be \"groth16\"");
  expect_error(parse, replace(good, "\"1\"\n ],\n \"pi_b\"", "\"2\"\n ],\n \"pi_b\""),
               "z coordinate must be");
  expect_error(parse, replace(good, "\"1\"\n ],\n \"pi_b\"", "\"1\", \"1\"\n ],\n \"pi_b\""),
               "expected 3 elements, got 4");
  expect_error(parse, replace(good, "\"1\"\n ],\n \"pi_b\"", "1\n ],\n \"pi_b\""),
               "expected a decimal string, got number");
}

TEST(SnarkjsJson, RejectsG2PointOutsideSubgroup) {
  // (1 + u, y) lies on the twist (found by search in curve_group_test) but a
  // random twist point is in G2 with negligible probability.
  curve::G2Affine p;
  for (uint64_t k = 1;; ++k) {
    curve::Fq2 x(Fq::from_u64(k), Fq::one());
    curve::Fq2 rhs = x.square() * x + curve::G2Curve::b();
    auto n = (rhs.c0.square() + rhs.c1.square()).sqrt();
    if (!n) continue;
    auto c0 = ((rhs.c0 + *n) * Fq::from_u64(2).inverse()).sqrt();
    if (!c0) c0 = ((rhs.c0 - *n) * Fq::from_u64(2).inverse()).sqrt();
    if (!c0 || c0->is_zero()) continue;
    curve::Fq2 y(*c0, rhs.c1 * c0->dbl().inverse());
    if (y.square() != rhs) continue;
    p = curve::G2Affine(x, y);
    break;
  }
  ASSERT_TRUE(p.is_on_curve());
  groth16::Proof proof = parse_proof_json(ref_file("proof.json"));
  proof.b = p;
  expect_error([](const std::string& s) { return parse_proof_json(s); }, proof_to_json(proof),
               "not in the order-r subgroup");
}

TEST(SnarkjsJson, RejectsDamagedKeysAndInputs) {
  const std::string good = ref_file("verification_key_hardhat.json");
  auto parse = [](const std::string& s) { return parse_verification_key_json(s); };
  expect_error(parse, replace(good, "\"nPublic\": 3", "\"nPublic\": 4"), "nPublic (4) must equal");
  expect_error(parse, replace(good, "\"nPublic\": 3", "\"nPublic\": \"3\""), "nPublic");
  expect_error(parse, replace(good, "\"curve\": \"bn128\"", "\"curve\": \"bls12381\""),
               "\"curve\" must be \"bn128\"");
  expect_error(parse, replace(good, "\"IC\"", "\"ic\""), "missing \"IC\"");
  expect_error(
      parse,
      replace(good, "20491192805390485299153009773594534940189261866228447918068658471970481763042",
              "20491192805390485299153009773594534940189261866228447918068658471970481763043"),
      "vk_alpha_1: point is not on the BN254 G1 curve");

  auto pub = [](const std::string& s) { return parse_public_json(s); };
  expect_error(pub, "{}", "expected an array");
  expect_error(pub, "[\"1\", 2]", "public.json[1]: expected a decimal string");
  expect_error(pub, "[\"-1\"]", "public.json[0]");
  // r itself is not a canonical input.
  expect_error(
      pub, "[\"21888242871839275222246405745257275088548364400416034343698204186575808495617\"]",
      "not a canonical BN254 Fr element");
  expect_error(pub, "[\"\"]", "public.json[0]");
}

TEST(SnarkjsJson, MissingFile) {
  EXPECT_THROW(read_text_file("/nonexistent/codex/proof.json"), InvalidInput);
}

}  // namespace
}  // namespace codex::prover::groth16
