// Writes the binary seed inputs of tests/fuzz/corpus/ that are easier to make
// with the library than by hand: manifests, ABI data, a keystore, and a tiny
// circuit's .r1cs, .wtns and .zkey. Run once when a format changes:
//   build/tests/fuzz/fuzz_make_seeds tests/fuzz/corpus
// (the text seeds are written by hand).
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "agent/eth/abi_codec.h"
#include "agent/eth/keystore.h"
#include "exchange/manifest/manifest.h"
#include "exchange/multiformats/multicodec.h"
#include "exchange/tree/sha256_tree.h"
#include "prover/circuit/r1cs.h"
#include "prover/formats/r1cs_file.h"
#include "prover/formats/wtns_file.h"
#include "prover/groth16/setup.h"

namespace {

namespace fs = std::filesystem;
using namespace codex;
fs::path root;

void put(const std::string& harness, const std::string& name, std::string_view bytes) {
  fs::create_directories(root / harness);
  std::ofstream(root / harness / name, std::ios::binary) << bytes;
}

void manifests() {
  Digest32 d{};
  d[0] = 1;
  Manifest m;
  m.tree_cid = tree_root_cid(d);
  m.dataset_size = 8 * 65536 - 100;
  m.filename = "a.txt";
  m.mimetype = "text/plain";
  put("exchange_manifest", "plain", m.encode());
  m.erasure = ErasureInfo{2, 1, m.tree_cid, 8 * 65536 - 100, StrategyType::kStepped, {}};
  d[0] = 2;
  m.tree_cid = tree_root_cid(d);
  m.dataset_size = 12 * 65536;
  put("exchange_manifest", "protected", m.encode());
  VerificationInfo v;
  v.verify_root =
      Cid(multicodec::kProvingRoot, Multihash(multicodec::kIdentity, std::string(32, 9)));
  for (char i = 0; i < 3; ++i)
    v.slot_roots.push_back(
        Cid(multicodec::kSlotRoot, Multihash(multicodec::kIdentity, std::string(32, i))));
  m.erasure->verification = v;
  put("exchange_manifest", "verifiable", m.encode());
}

void abi() {
  using namespace codex::eth;
  auto seed = [](const std::string& name, const std::string& type, const AbiValue& value) {
    Bytes body = abi::encode(AbiType::parse(type), value);
    std::string s = type + "\n";
    s.append(body.begin(), body.end());
    put("agent_abi", name, s);
  };
  seed("uint256", "uint256", AbiValue(uint64_t{123456789}));
  seed("int64", "int64", AbiValue::from_int(-5));
  seed("bool", "bool", AbiValue(true));
  seed("bytes32", "bytes32", AbiValue(Bytes(32, 0xab)));
  seed("string", "string", AbiValue(std::string("Marketplace_SlotNotFree")));
  seed("bytes", "bytes", AbiValue(Bytes{1, 2, 3, 4, 5}));
  seed("array", "uint64[]", AbiValue(AbiValue::List{uint64_t{1}, uint64_t{2}, uint64_t{3}}));
  seed("tuple", "(uint256,bytes,address[2])[]",
       AbiValue(AbiValue::List{AbiValue(
           AbiValue::List{uint64_t{7}, Bytes{9, 9},
                          AbiValue(AbiValue::List{AbiValue(Address{}), AbiValue(Address{})})})}));
}

void keystore() {
  eth::Bytes secret(32, 0);
  secret[31] = 1;
  const auto key = eth::PrivateKey(std::span<const uint8_t, 32>(secret.data(), 32));
  put("agent_keystore", "scrypt_n2", eth::encrypt_keystore(key, "fuzz", 1));
}

void circuit() {
  using namespace codex::prover;
  using circuit::LinearCombination;
  // x·y = z with z public, and x + y = s: two constraints, four wires.
  circuit::CircuitBuilder cb;
  const Fr x = Fr::from_u64(3), y = Fr::from_u64(5);
  auto z = cb.add_public(x * y);
  auto wx = cb.add_private(x), wy = cb.add_private(y);
  auto s = cb.add_private(x + y);
  cb.add_constraint({LinearCombination(wx), LinearCombination(wy), LinearCombination(z)});
  LinearCombination sum(wx);
  sum.add(wy, Fr::one());
  cb.add_constraint({sum, LinearCombination::constant(Fr::one()), LinearCombination(s)});
  const auto tmp = fs::temp_directory_path() / "codex-make-seeds";
  fs::create_directories(tmp);
  auto slurp = [](const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  };
  const auto header = formats::r1cs_header_of(cb, 2);
  formats::write_r1cs(tmp / "c.r1cs", header, cb.constraints());
  put("prover_r1cs", "tiny", slurp(tmp / "c.r1cs"));
  formats::write_wtns(tmp / "c.wtns", cb.witness());
  put("prover_wtns", "tiny", slurp(tmp / "c.wtns"));
  const auto setup = groth16::dev_setup(formats::read_r1cs(tmp / "c.r1cs"), "fuzz-seed", 1);
  groth16::write_zkey(tmp / "c.zkey", setup.pk);
  put("prover_zkey", "tiny", slurp(tmp / "c.zkey"));
  fs::remove_all(tmp);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
    return 2;
  }
  root = argv[1];
  manifests();
  abi();
  keystore();
  circuit();
  return 0;
}
