#include "exchange/dataset/dataset_delete.h"

#include <vector>

#include "exchange/dataset/dataset_reader.h"
#include "exchange/error.h"
#include "exchange/store/repo.h"

namespace codex {

bool delete_dataset(store::Repo& repo, const Cid& manifest_cid) {
  Manifest m;
  try {
    m = load_manifest(repo, manifest_cid);
  } catch (const NotFoundError&) {
    return false;
  }
  std::vector<Cid> trees{m.tree_cid};
  if (m.erasure) trees.push_back(m.erasure->original_tree_cid);
  return repo.delete_dataset(manifest_cid, trees);
}

}  // namespace codex
