#include "agent/node/node_slot_work.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <stdexcept>

#include "agent/market/proof_mapping.h"
#include "agent/slots/slot_prover.h"
#include "agent/slots/verifiable.h"
#include "base/metrics/counter.h"
#include "base/metrics/histogram.h"
#include "exchange/dataset/repo_dataset_blocks.h"
#include "exchange/error.h"
#include "exchange/net/blockexc/message.h"
#include "exchange/net/dataset_fetch.h"
#include "exchange/net/network.h"
#include "exchange/store/repo.h"

namespace codex::agent {
namespace {

constexpr size_t kWindow = 64;  // blocks asked for at once

// The request's verifiable manifest: fetched, and checked to be the one the
// request's merkle root names.
Manifest manifest_of(const market::Request& r, net::Network& network, net::kad::Dht* dht,
                     store::Repo& repo) {
  Cid cid;
  try {
    cid = Cid::from_bytes(std::span<const uint8_t>(r.content.cid));
  } catch (const std::exception& e) {
    throw FormatError(std::string("the request's content is not a CID: ") + e.what());
  }
  Manifest m = net::fetch_manifest(network, dht, repo, cid);
  if (!m.is_verifiable())
    throw FormatError("the request's manifest " + cid.to_string() + " is not verifiable");
  const std::string& root = m.erasure->verification->verify_root.hash().digest();
  if (root.size() != r.content.merkle_root.size() ||
      std::memcmp(root.data(), r.content.merkle_root.data(), root.size()) != 0)
    throw FormatError("the request's merkle root is not the verify root of " + cid.to_string());
  if (m.num_slots() != r.ask.slots)
    throw FormatError("the manifest has " + std::to_string(m.num_slots()) + " slots, the request " +
                      std::to_string(r.ask.slots));
  return m;
}

}  // namespace

NodeSlotWork::NodeSlotWork(store::Repo& repo, net::Network& network, net::kad::Dht* dht,
                           slots::SlotProver& prover, const ProvingMetrics* metrics)
    : repo_(repo), network_(network), dht_(dht), prover_(prover), metrics_(metrics) {}

void NodeSlotWork::store(const market::Request& request, uint64_t slot_index, bool repairing,
                         const std::function<void(uint64_t)>& stored) {
  if (repairing) throw std::runtime_error("repairing a freed slot is not supported yet");
  const Manifest m = manifest_of(request, network_, dht_, repo_);
  const prover::slots::SlotLayout layout = slots::slot_layout(m);
  std::vector<uint64_t> indices;
  for (uint64_t i : layout.slot_block_indices(slot_index))
    if (!layout.is_pad(i)) indices.push_back(i);
  net::connect_providers(network_, dht_, repo_, m.tree_cid);
  for (size_t first = 0; first < indices.size(); first += kWindow) {
    std::vector<net::blockexc::BlockAddress> window;
    const size_t end = std::min(indices.size(), first + kWindow);
    for (size_t k = first; k < end; ++k)
      window.push_back(net::blockexc::BlockAddress::of_leaf(m.tree_cid, indices[k]));
    uint64_t bytes = 0;
    for (const std::string& b : network_.fetch_blocks(std::move(window), kWindow))
      bytes += b.size();
    stored(bytes);
  }
  RepoDatasetBlocks blocks(repo_);
  prover_.prepare(blocks, m, slot_index);
}

market::Groth16Proof NodeSlotWork::prove(const market::Request& request, uint64_t slot_index,
                                         const market::Hash& challenge) {
  // Measured here, around everything a proof needs (manifest, blocks,
  // witness, Groth16): what a period's deadline has to leave room for.
  const auto start = std::chrono::steady_clock::now();
  try {
    const Manifest m = manifest_of(request, network_, dht_, repo_);
    RepoDatasetBlocks blocks(repo_);
    market::Groth16Proof proof =
        market::proof_from_prover(prover_.prove(blocks, m, slot_index, challenge).proof);
    if (metrics_)
      metrics_->seconds.observe(
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    return proof;
  } catch (...) {
    if (metrics_) metrics_->failed.inc();
    throw;
  }
}

std::optional<double> NodeSlotWork::proving_seconds() const {
  return prover_.proving_seconds();
}

}  // namespace codex::agent
