#include "prover/cli/block_dir.h"

#include <fstream>
#include <set>
#include <vector>

#include "prover/error.h"

namespace codex::prover::cli {
namespace fs = std::filesystem;

BlockDir::BlockDir(fs::path dir) : dir_(std::move(dir)) {
  std::error_code ec;
  if (!fs::is_directory(dir_, ec))
    throw InvalidInput("block directory " + dir_.string() + " not found");
  std::set<uint64_t> indices;
  for (const auto& entry : fs::directory_iterator(dir_)) {
    std::string name = entry.path().filename().string();
    std::string stem = entry.path().stem().string();
    bool digits = !stem.empty() && stem.size() <= 19 &&
                  stem.find_first_not_of("0123456789") == std::string::npos;
    if (entry.path().extension() != ".bin" || !digits || (stem.size() > 1 && stem[0] == '0')) {
      throw InvalidInput("unexpected file " + name + " in block directory " + dir_.string() +
                         " (expected <index>.bin)");
    }
    indices.insert(std::stoull(stem));
  }
  if (indices.empty()) throw InvalidInput("block directory " + dir_.string() + " holds no blocks");
  count_ = indices.size();
  if (*indices.rbegin() != count_ - 1) {
    uint64_t expect = 0;
    for (uint64_t i : indices) {
      if (i != expect) break;
      ++expect;
    }
    throw InvalidInput("block directory " + dir_.string() + " lacks block " +
                       std::to_string(expect) + ".bin (blocks must be numbered 0..n-1)");
  }
}

fs::path BlockDir::path(uint64_t index) const {
  return dir_ / (std::to_string(index) + ".bin");
}

slots::BlockReader BlockDir::reader(uint64_t block_size) const {
  BlockDir self = *this;
  return [self, block_size](uint64_t index, std::span<uint8_t> out) {
    fs::path p = self.path(index);
    std::error_code ec;
    auto size = fs::file_size(p, ec);
    if (ec) throw InvalidInput("cannot read block file " + p.string() + ": " + ec.message());
    if (size != block_size || out.size() != block_size) {
      throw InvalidInput("block file " + p.string() + " has " + std::to_string(size) +
                         " bytes, expected the block size " + std::to_string(block_size));
    }
    std::ifstream in(p, std::ios::binary);
    if (!in.read(reinterpret_cast<char*>(out.data()), std::streamsize(out.size()))) {
      throw InvalidInput("cannot read block file " + p.string());
    }
  };
}

void write_block_dir(const fs::path& dir, const slots::SlotLayout& layout,
                     const slots::BlockReader& read) {
  fs::create_directories(dir);
  std::vector<uint8_t> block(layout.block_size());
  for (uint64_t i = 0; i < layout.blocks_count(); ++i) {
    read(i, block);
    fs::path p = dir / (std::to_string(i) + ".bin");
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(block.data()), std::streamsize(block.size()));
    if (!out) throw std::runtime_error("cannot write " + p.string());
  }
}

}  // namespace codex::prover::cli
