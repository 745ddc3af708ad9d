// Reproduces every circuit input file of tests/data/zk-inputs/ from its
// parameters alone (fake data, seed 12345), comparing parsed JSON values, and
// checks that the writer's output is byte-identical to the reference files.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "prover/slots/input_params.h"

namespace codex::prover::slots {
namespace {

struct Case {
  const char* file;
  InputParams params;
  std::vector<uint64_t> sampled;  // expected cell indices (tests/data/README.md)
};

InputParams params(uint64_t nslots, uint64_t slot, uint64_t ncells, uint64_t nsamples,
                   uint64_t entropy, unsigned depth, uint64_t maxslots, uint64_t cellsize,
                   uint64_t blocksize) {
  InputParams p;
  p.nslots = nslots;
  p.slot = slot;
  p.ncells = ncells;
  p.nsamples = nsamples;
  p.entropy = Fr::from_u64(entropy);
  p.depth = depth;
  p.maxslots = maxslots;
  p.cellsize = cellsize;
  p.blocksize = blocksize;
  return p;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot open " << path;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class ReferenceInputs : public ::testing::TestWithParam<Case> {};

TEST_P(ReferenceInputs, ReproducedExactly) {
  const Case& c = GetParam();
  std::string path = std::string(CODEX_SOURCE_DIR) + "/tests/data/zk-inputs/" + c.file;
  std::string expected_text = read_file(path);
  nlohmann::json expected = nlohmann::json::parse(expected_text);

  ProofInput in = fake_proof_input(c.params, 12345);
  std::string text = to_circuit_json(in);
  nlohmann::json got = nlohmann::json::parse(text);

  ASSERT_EQ(got.size(), expected.size());
  for (auto& [key, value] : expected.items()) {
    ASSERT_TRUE(got.contains(key)) << key;
    EXPECT_EQ(got[key], value) << "field " << key;
  }
  EXPECT_EQ(got, expected);
  EXPECT_EQ(text, expected_text) << "writer output differs in layout";

  // Sampled cells: the first field element of each sampled cell equals the
  // fake data of that cell.
  auto indices =
      sample_cell_indices(in.entropy, in.slot_root, in.n_cells_per_slot, c.params.nsamples);
  EXPECT_EQ(indices, c.sampled);
}

INSTANTIATE_TEST_SUITE_P(
    ZkInputs, ReferenceInputs,
    ::testing::Values(Case{"codex_example_input.json",
                           params(11, 3, 512, 5, 10941033813ull, 32, 256, 2048, 65536),
                           {339, 370, 217, 406, 416}},
                      Case{"prod5_entropy1234567_input.json",
                           params(11, 3, 512, 5, 1234567, 32, 256, 2048, 65536),
                           {287, 21, 307, 157, 508}},
                      Case{"tiny_d8_s4_c128_b512_n2_input.json",
                           params(3, 1, 16, 2, 1234567, 8, 4, 128, 512),
                           {4, 5}}),
    [](const ::testing::TestParamInfo<Case>& info) {
      std::string n = info.param.file;
      return n.substr(0, n.find('_'));
    });

}  // namespace
}  // namespace codex::prover::slots
