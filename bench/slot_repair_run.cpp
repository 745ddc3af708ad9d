// Slot repair from remote data (issue 14, spec node.md §2.3): a dataset of
// --mib MiB protected with K = 2, M = 1 (a request of 3 nodes, tolerance 1)
// and made verifiable; two holders on loopback hold slots 0 and 1, nobody
// holds slot --slot's blocks (the freed host is gone); a repairer with an
// empty store rebuilds that slot (net::repair_slot: fetching K blocks of every
// step, decoding, the dataset tree and leaf proofs), then builds and checks
// its slot tree as a provider does before its initial proof. The proof
// itself does not depend on how the slot was stored (see
// bench/devnet_fill_run.sh for its time with the production circuit).
//
// Usage: slot_repair_run [--mib N] [--slot 0|1|2]; --help. Defaults: 64 MiB,
// slot 2 (the parity slot). Scratch files go to $TMPDIR (use memory: /dev/shm).
#include <unistd.h>
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "agent/slots/verifiable.h"
#include "exchange/dataset/dataset_reader.h"
#include "exchange/dataset/dataset_writer.h"
#include "exchange/dataset/repo_dataset_blocks.h"
#include "exchange/erasure/erasure.h"
#include "exchange/erasure/layout.h"
#include "exchange/net/network.h"
#include "exchange/net/node_key.h"
#include "exchange/net/slot_repair.h"
#include "exchange/store/data_dir.h"
#include "exchange/store/repo.h"
#include "prover/slots/builder.h"

namespace {

using namespace codex;
using Clock = std::chrono::steady_clock;

double since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

std::span<const uint8_t> as_bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// A store in its own directory, and optionally a node on loopback serving it.
struct Node {
  explicit Node(const std::filesystem::path& dir) {
    data = store::DataDir::open(dir);
    store::RepoOptions o;
    o.dir = data->repo_dir();
    repo = store::Repo::open(data->database(), o);
  }
  void go_online() {
    key = std::make_unique<net::NodeKey>(net::NodeKey::load_or_create(data->path() / "key"));
    net::NetworkConfig c;
    c.listen.push_back(net::Multiaddr::parse("/ip4/127.0.0.1/tcp/0"));
    c.repo = repo.get();
    network = std::make_unique<net::Network>(*key, std::move(c));
  }
  ~Node() {
    network.reset();
    repo.reset();
    data.reset();
  }
  std::unique_ptr<store::DataDir> data;
  std::unique_ptr<store::Repo> repo;
  std::unique_ptr<net::NodeKey> key;
  std::unique_ptr<net::Network> network;
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app("Slot repair of a freed slot from remote data: fetch, decode, trees.");
  uint64_t mib = 64, slot = 2;
  app.add_option("--mib", mib, "dataset size in MiB")
      ->check(CLI::Range(uint64_t(1), uint64_t(4096)));
  app.add_option("--slot", slot, "the slot to repair")->check(CLI::Range(uint64_t(0), uint64_t(2)));
  CLI11_PARSE(app, argc, argv);

  const auto root =
      std::filesystem::temp_directory_path() / ("slot-repair-run." + std::to_string(::getpid()));
  std::filesystem::create_directories(root);
  struct Cleanup {
    std::filesystem::path p;
    ~Cleanup() { std::filesystem::remove_all(p); }
  } cleanup{root};

  auto t = Clock::now();
  Manifest verifiable;
  std::vector<std::unique_ptr<Node>> holders;
  {
    Node source(root / "source");
    std::string bytes(mib << 20, '\0');
    std::mt19937_64 rng(1);
    for (size_t i = 0; i + 8 <= bytes.size(); i += 8) {
      const uint64_t v = rng();
      std::memcpy(&bytes[i], &v, 8);
    }
    DatasetWriter writer(*source.repo);
    writer.write(as_bytes(bytes));
    const Manifest plain = load_manifest(*source.repo, writer.finish());
    RepoDatasetBlocks blocks(*source.repo);
    erasure::Erasure ec(blocks);
    const Manifest prot = ec.encode(plain, {2, 1});
    verifiable = slots::build_verifiable(blocks, prot);
    const erasure::SteppedLayout layout({2, 1}, plain.blocks_count(), plain.block_size);
    // Each holder: one of the other two slots.
    for (uint32_t s = 0; s < 3; ++s) {
      if (s == slot) continue;
      auto h = std::make_unique<Node>(root / ("holder" + std::to_string(s)));
      auto batch = h->repo->batch();
      for (uint64_t i : layout.slot_indices(s)) {
        if (layout.is_padding(i)) continue;
        const auto leaf = source.repo->get_leaf(prot.tree_cid, i).value();
        batch.put_block(leaf.block, as_bytes(source.repo->get_block(leaf.block).value()));
        batch.put_leaf(prot.tree_cid, i, leaf.block, leaf.proof);
      }
      batch.commit();
      h->go_online();
      holders.push_back(std::move(h));
    }
  }
  std::printf("set-up (upload, encode, verifiable, holders): %.1f s\n", since(t));

  Node me(root / "repairer");
  me.go_online();
  for (auto& h : holders)
    me.network->connect(h->network->id(), {h->network->addresses().at(0)});
  RepoDatasetBlocks blocks(*me.repo);
  t = Clock::now();
  const net::SlotRepairReport r =
      net::repair_slot(*me.network, blocks, verifiable, static_cast<uint32_t>(slot));
  const double repair_s = since(t);
  t = Clock::now();
  slots::build_checked_slot(blocks, verifiable, slot);
  const double slot_tree_s = since(t);

  const double slot_mib = double(r.slot_blocks) * verifiable.block_size / (1 << 20);
  std::printf("dataset %llu MiB, K=2 M=1, slot %llu: %llu blocks (%.1f MiB)\n",
              (unsigned long long)mib, (unsigned long long)slot, (unsigned long long)r.slot_blocks,
              slot_mib);
  std::printf("fetched %llu blocks (%.1f MiB), %llu steps decoded, %llu slot blocks stored\n",
              (unsigned long long)r.fetched, double(r.fetched) * verifiable.block_size / (1 << 20),
              (unsigned long long)r.steps_decoded, (unsigned long long)r.slot_stored);
  std::printf("%9s %9s %15s %9s %12s %8s\n", "fetch_s", "decode_s", "dataset_tree_s", "repair_s",
              "slot_tree_s", "total_s");
  std::printf("%9.3f %9.3f %15.3f %9.3f %12.3f %8.3f\n", r.fetch_seconds, r.decode_seconds,
              r.tree_seconds, repair_s, slot_tree_s, repair_s + slot_tree_s);
  return 0;
}
