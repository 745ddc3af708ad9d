#include "agent/node/node_slot_work.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <ctime>
#include <stdexcept>

#include "agent/market/proof_mapping.h"
#include "agent/slots/slot_prover.h"
#include "agent/slots/verifiable.h"
#include "base/hex.h"
#include "base/metrics/counter.h"
#include "base/metrics/histogram.h"
#include "exchange/dataset/repo_dataset_blocks.h"
#include "exchange/error.h"
#include "exchange/net/blockexc/message.h"
#include "exchange/net/dataset_fetch.h"
#include "exchange/net/network.h"
#include "exchange/net/slot_repair.h"
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

size_t NodeSlotWork::fetch_missing(const market::Request& request, const Manifest& m,
                                   uint64_t slot_index,
                                   const std::function<void(uint64_t)>& stored) {
  const prover::slots::SlotLayout layout = slots::slot_layout(m);
  std::vector<uint64_t> missing;
  for (uint64_t i : layout.slot_block_indices(slot_index)) {
    if (layout.is_pad(i)) continue;
    const auto leaf = repo_.get_leaf(m.tree_cid, i);
    if (!leaf || !repo_.has_block(leaf->block)) missing.push_back(i);
  }
  if (!missing.empty()) net::connect_providers(network_, dht_, repo_, m.tree_cid);
  for (size_t first = 0; first < missing.size(); first += kWindow) {
    std::vector<net::blockexc::BlockAddress> window;
    const size_t end = std::min(missing.size(), first + kWindow);
    for (size_t k = first; k < end; ++k)
      window.push_back(net::blockexc::BlockAddress::of_leaf(m.tree_cid, missing[k]));
    uint64_t bytes = 0;
    for (const std::string& b : network_.fetch_blocks(std::move(window), kWindow))
      bytes += b.size();
    stored(bytes);
  }
  keep_until_request_end(request, m, slot_index);
  return missing.size();
}

void NodeSlotWork::keep_until_request_end(const market::Request& request, const Manifest& m,
                                          uint64_t slot_index) {
  // The store's TTL (30 days by default) must not drop a slot's blocks before
  // the request ends: keep them at least until the latest end the request
  // can have (filled at expiry at the latest, then its duration), plus a day
  // for the payout.
  const int64_t until =
      int64_t(std::time(nullptr)) + int64_t(request.expiry) + int64_t(request.ask.duration) + 86400;
  const prover::slots::SlotLayout layout = slots::slot_layout(m);
  for (uint64_t i : layout.slot_block_indices(slot_index)) {
    if (layout.is_pad(i)) continue;
    if (auto leaf = repo_.get_leaf(m.tree_cid, i)) repo_.ensure_expiry(leaf->block, until);
  }
}

void NodeSlotWork::store(const market::Request& request, uint64_t slot_index, bool repairing,
                         const std::function<void(uint64_t)>& stored) {
  using Clock = std::chrono::steady_clock;
  const auto t0 = Clock::now();
  const Manifest m = manifest_of(request, network_, dht_, repo_);
  if (repairing) {
    repair(request, m, slot_index, stored);
  } else {
    uint64_t bytes = 0;
    const size_t blocks_fetched = fetch_missing(request, m, slot_index, [&](uint64_t n) {
      bytes += n;
      stored(n);
    });
    const auto t1 = Clock::now();
    RepoDatasetBlocks blocks(repo_);
    prover_.prepare(blocks, m, slot_index);
    const double fetch_s = std::chrono::duration<double>(t1 - t0).count();
    const double build_s = std::chrono::duration<double>(Clock::now() - t1).count();
    // The figures of the "StorageRequested to SlotFilled" benchmark (bench/).
    spdlog::info(
        "sales: slot {}: fetched {} blocks ({:.1f} MB) in {:.2f} s ({:.1f} MB/s), built "
        "its slot tree in {:.2f} s",
        slot_index, blocks_fetched, bytes / 1e6, fetch_s, fetch_s > 0 ? bytes / 1e6 / fetch_s : 0.0,
        build_s);
  }
  std::lock_guard lock(mu_);
  checked_.emplace(base::to_hex(request.content.cid), slot_index);
}

void NodeSlotWork::repair(const market::Request& request, const Manifest& m, uint64_t slot_index,
                          const std::function<void(uint64_t)>& stored) {
  using Clock = std::chrono::steady_clock;
  // The freed holder may be gone: whoever holds the dataset's other slots
  // (the client, the other providers) is asked for enough of every step.
  net::connect_providers(network_, dht_, repo_, m.tree_cid);
  RepoDatasetBlocks blocks(repo_);
  const net::SlotRepairReport r =
      net::repair_slot(network_, blocks, m, static_cast<uint32_t>(slot_index));
  stored(r.slot_stored * uint64_t(m.block_size));
  keep_until_request_end(request, m, slot_index);
  const auto t = Clock::now();
  prover_.prepare(blocks, m, slot_index);
  const double build_s = std::chrono::duration<double>(Clock::now() - t).count();
  // The figures of the slot repair benchmark (bench/slot_repair_run).
  spdlog::info(
      "sales: slot {}: repaired: {} blocks here, {} fetched, {} steps decoded; fetch {:.2f} s, "
      "decode {:.2f} s, slot tree {:.2f} s, dataset tree {:.2f} s",
      slot_index, r.found_locally, r.fetched, r.steps_decoded, r.fetch_seconds, r.decode_seconds,
      build_s, r.tree_seconds);
}

market::Groth16Proof NodeSlotWork::prove(const market::Request& request, uint64_t slot_index,
                                         const market::Hash& challenge) {
  const auto key = std::make_pair(base::to_hex(request.content.cid), slot_index);
  bool checked = false;
  {
    std::lock_guard lock(mu_);
    checked = checked_.contains(key);
  }
  auto refetch = [&](const Manifest& m) {
    if (size_t n = fetch_missing(request, m, slot_index, [](uint64_t) {}))
      spdlog::warn("sales: slot {}: {} of its blocks were missing here and were fetched again",
                   slot_index, n);
    std::lock_guard lock(mu_);
    checked_.insert(key);
  };
  // Measured here, around everything a proof needs (manifest, blocks,
  // witness, Groth16): what a period's deadline has to leave room for.
  const auto start = std::chrono::steady_clock::now();
  try {
    // The first proof of a slot since this node started checks that its
    // data is whole (a store restored from a backup, a deleted dataset, a
    // lost file); a proof that finds a block missing fetches it again.
    const Manifest m = manifest_of(request, network_, dht_, repo_);
    if (!checked) refetch(m);
    RepoDatasetBlocks blocks(repo_);
    market::Groth16Proof proof;
    try {
      proof = market::proof_from_prover(prover_.prove(blocks, m, slot_index, challenge).proof);
    } catch (const NotFoundError&) {
      refetch(m);
      proof = market::proof_from_prover(prover_.prove(blocks, m, slot_index, challenge).proof);
    }
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
