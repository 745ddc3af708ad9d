#pragma once
// Deletes a locally stored dataset: its manifest, and the leaves and blocks
// of its trees that no other dataset or upload in flight uses (two datasets
// of the same bytes share one tree; see Repo::delete_dataset).
#include "exchange/multiformats/cid.h"

namespace codex {

namespace store {
class Repo;
}

// Returns false if no such manifest was stored. Throws FormatError if the
// CID is not a manifest CID or the stored manifest does not decode,
// StoreError on storage failure (deleting again finishes the work).
bool delete_dataset(store::Repo& repo, const Cid& manifest_cid);

}  // namespace codex
