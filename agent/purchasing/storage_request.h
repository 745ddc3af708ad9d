#pragma once
// A client's storage request (spec node.md §6.1): the REST parameters, their
// validation, and the marketplace request built from a verifiable manifest.
#include <cstdint>
#include <stdexcept>
#include <string>

#include "agent/market/types.h"
#include "exchange/erasure/params.h"
#include "exchange/manifest/manifest.h"

namespace codex::purchasing {

struct StorageRequestParams {
  uint64_t duration = 0;  // seconds
  market::Uint256 proof_probability;
  market::Uint256 price_per_byte_per_second;
  market::Uint256 collateral_per_byte;
  uint64_t expiry = 0;  // seconds after the request, < duration
  uint32_t nodes = 3;
  uint32_t tolerance = 1;
};

// A request the rules refuse (the REST API answers 422 with the message).
class InvalidStorageRequest : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Checks the rules of §6.1 that need no data: 0 < expiry < duration, the
// three amounts > 0, duration ≤ the contract's limit, tolerance ≠ 0,
// tolerance ≤ nodes, K = nodes − tolerance > 1 and K ≥ tolerance. Returns the
// erasure parameters (K, M = tolerance). Throws InvalidStorageRequest.
erasure::ErasureParams check_params(const StorageRequestParams& p,
                                    const market::MarketplaceConfig& config);

// The dataset must have at least K blocks: throws InvalidStorageRequest
// "need at least <K·blockSize> bytes" otherwise, and for a manifest that is
// protected already.
void check_dataset(const Manifest& plain, const erasure::ErasureParams& ep);

// The marketplace request for a verifiable manifest stored as
// `verifiable_cid`: K + M slots of blockSize · slot blocks (pads included)
// bytes, maxSlotLoss = tolerance, content = the manifest's CID and its verify
// root as 32 little-endian bytes; `nonce` makes two requests of the same data
// differ.
market::Request make_request(const StorageRequestParams& p, const Manifest& verifiable,
                             const Cid& verifiable_cid, const market::Address& client,
                             const market::Hash& nonce);

}  // namespace codex::purchasing
