#pragma once
// The js-libp2p reference vectors (tests/data/libp2p/vectors.json) and the
// node key they were made with, for the multiaddr, peer record and identify
// tests.
#include <sys/stat.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/hex.h"
#include "exchange/net/node_key.h"
#include "tests/support/temp_dir.h"

namespace codex::net::testing {

inline const nlohmann::json& libp2p_vectors() {
  static const nlohmann::json v = [] {
    std::ifstream in(CODEX_SOURCE_DIR "/tests/data/libp2p/vectors.json");
    if (!in) throw std::runtime_error("tests/data/libp2p/vectors.json is missing");
    return nlohmann::json::parse(in);
  }();
  return v;
}

inline std::vector<uint8_t> hex_bytes(const nlohmann::json& j) {
  return base::from_hex(j.get<std::string>());
}

// The secp256k1 key of the vectors' records (hardhat account 0), loaded as
// the node loads its key file.
constexpr std::string_view kVectorKeySecret =
    "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

inline NodeKey vector_node_key(const codex::testing::TempDir& dir) {
  std::vector<uint8_t> pb = {0x08, 0x02, 0x12, 0x20};
  const auto secret = base::from_hex(kVectorKeySecret);
  pb.insert(pb.end(), secret.begin(), secret.end());
  const auto file = dir / "vector-key";
  std::ofstream(file, std::ios::binary)
      .write(reinterpret_cast<const char*>(pb.data()), std::streamsize(pb.size()));
  ::chmod(file.c_str(), 0600);
  return NodeKey::load_or_create(file);
}

}  // namespace codex::net::testing
