#include "agent/purchasing/purchasing.h"

#include <sodium.h>
#include <spdlog/spdlog.h>

#include "agent/market/market_api.h"
#include "agent/slots/verifiable.h"
#include "base/hex.h"
#include "base/sqlite/database.h"
#include "exchange/dataset/repo_dataset_blocks.h"
#include "exchange/erasure/erasure.h"
#include "exchange/error.h"
#include "exchange/multiformats/multicodec.h"
#include "exchange/store/repo.h"

namespace codex::purchasing {

Purchasing::Purchasing(PurchasingContext& ctx, store::Repo& repo,
                       std::function<void(const Cid&)> stored)
    : ctx_(ctx), repo_(repo), stored_(std::move(stored)) {}

void Purchasing::add(PurchaseRecord r) {
  const market::RequestId id = r.id;
  running_[id] = {std::make_shared<PurchaseAgent>(ctx_, std::move(r)), std::nullopt, false};
}

void Purchasing::start() {
  std::lock_guard lock(mu_);
  for (PurchaseRecord& r : ctx_.records.active()) {
    spdlog::info("purchasing: resuming request {} ({})", base::to_hex(r.id), stored_name(r.state));
    add(std::move(r));
  }
  for (const market::RequestId& id : ctx_.market.my_requests()) {
    if (ctx_.records.get(id)) continue;
    auto request = ctx_.market.get_request(id);
    if (!request) continue;
    PurchaseRecord r;
    r.id = id;
    r.request = *request;
    r.state = PurchaseState::Unknown;
    ctx_.db.write([&](base::sqlite::WriteTxn& txn) { ctx_.records.insert(txn, r); });
    spdlog::info("purchasing: adopting request {} found on chain", base::to_hex(id));
    add(std::move(r));
  }
}

market::RequestId Purchasing::request_storage(const Cid& manifest_cid,
                                              const StorageRequestParams& p) {
  const erasure::ErasureParams ep = check_params(p, ctx_.market.configuration());
  if (manifest_cid.codec() != multicodec::kManifest)
    throw InvalidStorageRequest(manifest_cid.to_string() + " is not a manifest CID");
  const std::optional<std::string> bytes = repo_.get_block(manifest_cid);
  if (!bytes) throw NotFoundError("Dataset " + manifest_cid.to_string() + " is not stored here");
  const Manifest plain = Manifest::decode(*bytes);
  check_dataset(plain, ep);

  // Erasure coding and slots from the local store only (§6.1).
  RepoDatasetBlocks blocks(repo_);
  erasure::Erasure erasure(blocks);
  const Manifest protected_manifest = erasure.encode(plain, ep);
  store::Repo::Upload upload = repo_.upload();
  upload.hold_tree(protected_manifest.tree_cid);
  const Manifest verifiable = slots::build_verifiable(blocks, protected_manifest);
  const std::string enc = verifiable.encode();
  const std::span<const uint8_t> enc_bytes(reinterpret_cast<const uint8_t*>(enc.data()),
                                           enc.size());
  const Cid verifiable_cid = Cid::sha256_of(multicodec::kManifest, enc_bytes);
  upload.commit(verifiable_cid, enc_bytes, std::span<const Cid>(&protected_manifest.tree_cid, 1));
  if (stored_) stored_(verifiable_cid);

  market::Hash nonce;
  randombytes_buf(nonce.data(), nonce.size());
  PurchaseRecord r;
  r.request = make_request(p, verifiable, verifiable_cid, ctx_.market.account(), nonce);
  r.id = market::request_id(r.request);
  ctx_.db.write([&](base::sqlite::WriteTxn& txn) { ctx_.records.insert(txn, r); });
  spdlog::info("purchasing: request {} for {} ({} slots of {} bytes, K={} M={})",
               base::to_hex(r.id), verifiable_cid.to_string(), r.request.ask.slots,
               r.request.ask.slot_size, ep.k, ep.m);
  const market::RequestId id = r.id;
  std::lock_guard lock(mu_);
  add(std::move(r));
  return id;
}

void Purchasing::handle(const market::MarketEvent& e) {
  std::optional<market::RequestId> id;
  std::visit(
      [&](const auto& ev) {
        using E = std::decay_t<decltype(ev)>;
        if constexpr (std::is_same_v<E, market::RequestFulfilled> ||
                      std::is_same_v<E, market::RequestFailed> ||
                      std::is_same_v<E, market::RequestCancelled>)
          id = ev.request_id;
      },
      e);
  if (!id) return;
  std::lock_guard lock(mu_);
  auto it = running_.find(*id);
  if (it != running_.end() && !it->second.busy) it->second.wake_at.reset();
}

std::optional<market::RequestId> Purchasing::take_due() {
  std::lock_guard lock(mu_);
  const uint64_t now = ctx_.market.clock().seconds();
  for (auto& [id, run] : running_) {
    if (run.busy || (run.wake_at && *run.wake_at > now)) continue;
    run.busy = true;
    return id;
  }
  return std::nullopt;
}

PurchaseStep Purchasing::step(const market::RequestId& id) {
  std::shared_ptr<PurchaseAgent> agent;
  {
    std::lock_guard lock(mu_);
    auto it = running_.find(id);
    if (it == running_.end()) return {PurchaseState::Unknown, std::nullopt, true};
    agent = it->second.agent;
  }
  return agent->step();
}

void Purchasing::stepped(const market::RequestId& id, const PurchaseStep& s) {
  std::lock_guard lock(mu_);
  auto it = running_.find(id);
  if (it == running_.end()) return;
  if (s.over) {
    running_.erase(it);
    return;
  }
  it->second.busy = false;
  it->second.wake_at = s.wake_at;
}

std::optional<uint64_t> Purchasing::next_wake() const {
  std::lock_guard lock(mu_);
  std::optional<uint64_t> out;
  for (const auto& [id, run] : running_) {
    if (run.busy) continue;
    const uint64_t at = run.wake_at.value_or(0);
    if (!out || at < *out) out = at;
  }
  return out;
}

std::vector<PurchaseRecord> Purchasing::purchases() const {
  return ctx_.records.all();
}

std::optional<PurchaseRecord> Purchasing::purchase(const market::RequestId& id) const {
  return ctx_.records.get(id);
}

}  // namespace codex::purchasing
