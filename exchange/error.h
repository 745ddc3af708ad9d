#pragma once
// Errors of the exchange layer, members of the families of base/error.h. The
// layer reports failures as exceptions that carry context; callers at the
// edges (REST, CLI) turn them into statuses.
#include <stdexcept>
#include <string>

#include "base/error.h"

namespace codex {

// Malformed input: a CID, multihash, manifest, proof or peer message that
// does not parse or fails its checks.
class FormatError : public base::InvalidInput {
 public:
  using base::InvalidInput::InvalidInput;
};

// Something asked for is not here (a block, a manifest, a leaf).
class NotFoundError : public base::NotFound {
 public:
  using base::NotFound::NotFound;
};

// The store's quota would be exceeded by this write or reservation.
class QuotaError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Storage (SQLite, file system) failed. The one family of base/ (the SQLite
// wrapper throws it too), so that a caller catches every storage failure.
using StoreError = base::StorageError;

}  // namespace codex
