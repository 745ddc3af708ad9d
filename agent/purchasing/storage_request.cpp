#include "agent/purchasing/storage_request.h"

#include <algorithm>

#include "exchange/erasure/errors.h"
#include "prover/slots/layout.h"

namespace codex::purchasing {

erasure::ErasureParams check_params(const StorageRequestParams& p,
                                    const market::MarketplaceConfig& config) {
  if (p.expiry == 0) throw InvalidStorageRequest("Expiry must be greater than zero");
  if (p.expiry >= p.duration) throw InvalidStorageRequest("Expiry must be lower than the duration");
  if (p.proof_probability.is_zero())
    throw InvalidStorageRequest("Proof probability must be greater than zero");
  if (p.collateral_per_byte.is_zero())
    throw InvalidStorageRequest("Collateral per byte must be greater than zero");
  if (p.price_per_byte_per_second.is_zero())
    throw InvalidStorageRequest("Price per byte per second must be greater than zero");
  if (p.duration > config.request_duration_limit)
    throw InvalidStorageRequest("Duration exceeds limit of " +
                                std::to_string(config.request_duration_limit) + " seconds");
  if (p.tolerance == 0) throw InvalidStorageRequest("Tolerance needs to be bigger then zero");
  if (p.tolerance > p.nodes)
    throw InvalidStorageRequest("Invalid parameters: `tolerance` cannot be greater than `nodes`");
  const uint32_t k = p.nodes - p.tolerance;
  if (k <= 1 || k < p.tolerance)
    throw InvalidStorageRequest(
        "Invalid parameters: parameters must satify `1 < (nodes - tolerance) ≥ tolerance`");
  try {
    erasure::ErasureParams ep{k, p.tolerance};
    ep.validate();
    return ep;
  } catch (const erasure::ErasureParamsError& e) {
    throw InvalidStorageRequest(std::string("Invalid parameters: ") + e.what());
  }
}

void check_dataset(const Manifest& plain, const erasure::ErasureParams& ep) {
  if (plain.is_protected())
    throw InvalidStorageRequest("The dataset is erasure-coded already: request its original");
  if (plain.blocks_count() < ep.k)
    throw InvalidStorageRequest("Dataset too small for erasure parameters, need at least " +
                                std::to_string(uint64_t(ep.k) * plain.block_size) + " bytes");
}

market::Request make_request(const StorageRequestParams& p, const Manifest& verifiable,
                             const Cid& verifiable_cid, const market::Address& client,
                             const market::Hash& nonce) {
  const VerificationInfo& v = verifiable.erasure.value().verification.value();
  const prover::slots::SlotLayout layout(verifiable.blocks_count(), verifiable.num_slots(),
                                         verifiable.block_size, v.cell_size);
  market::Request r;
  r.client = client;
  r.ask.proof_probability = p.proof_probability;
  r.ask.price_per_byte_per_second = p.price_per_byte_per_second;
  r.ask.collateral_per_byte = p.collateral_per_byte;
  r.ask.slots = verifiable.num_slots();
  r.ask.slot_size = layout.slot_size_bytes();
  r.ask.duration = p.duration;
  r.ask.max_slot_loss = p.tolerance;
  const std::string& cid = verifiable_cid.bytes();
  r.content.cid.assign(cid.begin(), cid.end());
  const std::string& root = v.verify_root.hash().digest();
  std::copy_n(root.begin(), std::min(root.size(), r.content.merkle_root.size()),
              r.content.merkle_root.begin());
  r.expiry = p.expiry;
  r.nonce = nonce;
  return r;
}

}  // namespace codex::purchasing
