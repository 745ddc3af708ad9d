#include "prover/groth16/snarkjs_json.h"

#include "prover/error.h"
#include "prover/formats/json.h"

namespace codex::prover::groth16 {

namespace {

using curve::Fq12;
using curve::Fq2;
using curve::Fq6;
using curve::G1Affine;
using curve::G2Affine;
using formats::Json;

[[noreturn]] void bad(const std::string& where, const std::string& what) {
  throw InvalidInput(where + ": " + what);
}

const Json& member(const Json& obj, const std::string& key, const std::string& where) {
  const Json* v = obj.find(key);
  if (v == nullptr) bad(where, "missing \"" + key + "\"");
  return *v;
}

const std::vector<Json>& array_of(const Json& v, size_t n, const std::string& where) {
  if (!v.is_array()) bad(where, std::string("expected an array, got ") + Json::kind_name(v.kind()));
  if (n != 0 && v.items().size() != n) {
    bad(where,
        "expected " + std::to_string(n) + " elements, got " + std::to_string(v.items().size()));
  }
  return v.items();
}

template <class F>
F decimal(const Json& v, const std::string& where) {
  if (!v.is_string())
    bad(where, std::string("expected a decimal string, got ") + Json::kind_name(v.kind()));
  try {
    return F::from_decimal(v.text());
  } catch (const InvalidInput& e) {
    bad(where, e.what());
  }
}

Fq2 fq2(const Json& v, const std::string& where) {
  const auto& c = array_of(v, 2, where);
  return Fq2(decimal<Fq>(c[0], where + "[0]"), decimal<Fq>(c[1], where + "[1]"));
}

G1Affine g1(const Json& v, const std::string& where) {
  const auto& c = array_of(v, 3, where);
  Fq x = decimal<Fq>(c[0], where + "[0]"), y = decimal<Fq>(c[1], where + "[1]");
  Fq z = decimal<Fq>(c[2], where + "[2]");
  if (z.is_zero()) {
    if (!x.is_zero() || !y.is_one()) bad(where, "point at infinity must be [\"0\", \"1\", \"0\"]");
    return G1Affine::identity();
  }
  if (!z.is_one()) bad(where, "z coordinate must be \"1\" (affine) or \"0\" (infinity)");
  G1Affine p(x, y);
  if (!curve::g1_is_valid(p)) bad(where, "point is not on the BN254 G1 curve");
  return p;
}

G2Affine g2(const Json& v, const std::string& where) {
  const auto& c = array_of(v, 3, where);
  Fq2 x = fq2(c[0], where + "[0]"), y = fq2(c[1], where + "[1]"), z = fq2(c[2], where + "[2]");
  if (z.is_zero()) {
    if (!x.is_zero() || !y.is_one()) bad(where, "point at infinity must be [[0,0],[1,0],[0,0]]");
    return G2Affine::identity();
  }
  if (!z.is_one()) bad(where, "z coordinate must be [\"1\", \"0\"] (affine) or zero (infinity)");
  G2Affine p(x, y);
  if (!p.is_on_curve()) bad(where, "point is not on the BN254 twist curve");
  if (!curve::g2_in_subgroup(p))
    bad(where, "point is on the twist but not in the order-r subgroup G2");
  return p;
}

void expect_string(const Json& obj, const std::string& key, const std::string& value,
                   const std::string& where) {
  const Json& v = member(obj, key, where);
  if (!v.is_string() || v.text() != value) {
    bad(where, "\"" + key + "\" must be \"" + value + "\"");
  }
}

// A member that some writers omit: absent is fine, present must be `value`.
void expect_string_if_present(const Json& obj, const std::string& key, const std::string& value,
                              const std::string& where) {
  if (obj.find(key) != nullptr) expect_string(obj, key, value, where);
}

const Json& object(const Json& doc, const std::string& where) {
  if (!doc.is_object())
    bad(where, std::string("expected a JSON object, got ") + Json::kind_name(doc.kind()));
  return doc;
}

// --- writing ------------------------------------------------------------------

std::string q(const std::string& s) {
  return "\"" + s + "\"";
}

std::string pad(int depth) {
  return std::string(size_t(depth), ' ');
}

std::string g1_json(const G1Affine& p, int d) {
  std::string x = p.infinity ? "0" : p.x.to_decimal(), y = p.infinity ? "1" : p.y.to_decimal();
  std::string z = p.infinity ? "0" : "1";
  return "[\n" + pad(d + 1) + q(x) + ",\n" + pad(d + 1) + q(y) + ",\n" + pad(d + 1) + q(z) + "\n" +
         pad(d) + "]";
}

std::string fq2_json(const Fq2& a, int d) {
  return "[\n" + pad(d + 1) + q(a.c0.to_decimal()) + ",\n" + pad(d + 1) + q(a.c1.to_decimal()) +
         "\n" + pad(d) + "]";
}

std::string g2_json(const G2Affine& p, int d) {
  Fq2 x = p.infinity ? Fq2() : p.x, y = p.infinity ? Fq2::one() : p.y;
  Fq2 z = p.infinity ? Fq2() : Fq2::one();
  return "[\n" + pad(d + 1) + fq2_json(x, d + 1) + ",\n" + pad(d + 1) + fq2_json(y, d + 1) + ",\n" +
         pad(d + 1) + fq2_json(z, d + 1) + "\n" + pad(d) + "]";
}

std::string fq6_json(const Fq6& a, int d) {
  return "[\n" + pad(d + 1) + fq2_json(a.c0, d + 1) + ",\n" + pad(d + 1) + fq2_json(a.c1, d + 1) +
         ",\n" + pad(d + 1) + fq2_json(a.c2, d + 1) + "\n" + pad(d) + "]";
}

Fq6 fq6(const Json& v, const std::string& where) {
  const auto& c = array_of(v, 3, where);
  return Fq6(fq2(c[0], where + "[0]"), fq2(c[1], where + "[1]"), fq2(c[2], where + "[2]"));
}

}  // namespace

Proof parse_proof_json(std::string_view text) {
  const std::string where = "proof.json";
  Json doc = Json::parse(text);
  object(doc, where);
  Proof p;
  p.a = g1(member(doc, "pi_a", where), where + " pi_a");
  p.b = g2(member(doc, "pi_b", where), where + " pi_b");
  p.c = g1(member(doc, "pi_c", where), where + " pi_c");
  expect_string(doc, "protocol", "groth16", where);
  // rapidsnark writes no "curve" and snarkjs does not read it (the key's curve counts).
  expect_string_if_present(doc, "curve", "bn128", where);
  return p;
}

std::string proof_to_json(const Proof& proof) {
  return "{\n \"pi_a\": " + g1_json(proof.a, 1) + ",\n \"pi_b\": " + g2_json(proof.b, 1) +
         ",\n \"pi_c\": " + g1_json(proof.c, 1) +
         ",\n \"protocol\": \"groth16\",\n \"curve\": \"bn128\"\n}";
}

std::vector<Fr> parse_public_json(std::string_view text) {
  const std::string where = "public.json";
  Json doc = Json::parse(text);
  const auto& items = array_of(doc, 0, where);
  std::vector<Fr> out;
  out.reserve(items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    out.push_back(decimal<Fr>(items[i], where + "[" + std::to_string(i) + "]"));
  }
  return out;
}

std::string public_to_json(const std::vector<Fr>& inputs) {
  std::string s = "[";
  for (size_t i = 0; i < inputs.size(); ++i) {
    s += (i ? ",\n " : "\n ") + q(inputs[i].to_decimal());
  }
  return s + (inputs.empty() ? "]" : "\n]");
}

VerificationKey parse_verification_key_json(std::string_view text) {
  const std::string where = "verification_key.json";
  Json doc = Json::parse(text);
  object(doc, where);
  expect_string(doc, "protocol", "groth16", where);
  expect_string(doc, "curve", "bn128", where);
  VerificationKey vk;
  vk.alpha1 = g1(member(doc, "vk_alpha_1", where), where + " vk_alpha_1");
  vk.beta2 = g2(member(doc, "vk_beta_2", where), where + " vk_beta_2");
  vk.gamma2 = g2(member(doc, "vk_gamma_2", where), where + " vk_gamma_2");
  vk.delta2 = g2(member(doc, "vk_delta_2", where), where + " vk_delta_2");
  const auto& ic = array_of(member(doc, "IC", where), 0, where + " IC");
  if (ic.empty()) bad(where, "IC must hold at least one point");
  for (size_t i = 0; i < ic.size(); ++i) {
    vk.ic.push_back(g1(ic[i], where + " IC[" + std::to_string(i) + "]"));
  }
  const Json& n = member(doc, "nPublic", where);
  if (n.kind() != Json::Kind::kNumber || n.text() != std::to_string(ic.size() - 1)) {
    bad(where, "nPublic (" + n.text() + ") must equal the number of IC points minus one (" +
                   std::to_string(ic.size() - 1) + ")");
  }
  if (const Json* ab = doc.find("vk_alphabeta_12")) {
    const auto& c = array_of(*ab, 2, where + " vk_alphabeta_12");
    vk.alphabeta12 =
        Fq12(fq6(c[0], where + " vk_alphabeta_12[0]"), fq6(c[1], where + " vk_alphabeta_12[1]"));
  }
  return vk;
}

std::string verification_key_to_json(const VerificationKey& vk) {
  std::string s = "{\n \"protocol\": \"groth16\",\n \"curve\": \"bn128\",\n \"nPublic\": " +
                  std::to_string(vk.num_public()) + ",\n \"vk_alpha_1\": " + g1_json(vk.alpha1, 1) +
                  ",\n \"vk_beta_2\": " + g2_json(vk.beta2, 1) +
                  ",\n \"vk_gamma_2\": " + g2_json(vk.gamma2, 1) +
                  ",\n \"vk_delta_2\": " + g2_json(vk.delta2, 1);
  if (vk.alphabeta12) {
    s += ",\n \"vk_alphabeta_12\": [\n  " + fq6_json(vk.alphabeta12->c0, 2) + ",\n  " +
         fq6_json(vk.alphabeta12->c1, 2) + "\n ]";
  }
  s += ",\n \"IC\": [";
  for (size_t i = 0; i < vk.ic.size(); ++i)
    s += (i ? ",\n  " : "\n  ") + g1_json(vk.ic[i], 2);
  return s + "\n ]\n}";
}

}  // namespace codex::prover::groth16
