#include "agent/devnet/host_data_check.h"

#include "agent/slots/verifiable.h"
#include "exchange/dataset/dataset_reader.h"
#include "exchange/dataset/repo_dataset_blocks.h"
#include "exchange/store/data_dir.h"
#include "exchange/store/repo.h"

namespace codex::devnet {

std::vector<std::string> check_host_data(const std::string& node,
                                         const std::filesystem::path& data_dir,
                                         const std::vector<HostedSlot>& slots) {
  std::vector<std::string> out;
  if (slots.empty()) return out;
  try {
    store::DataDirOptions dopt;
    dopt.create = false;
    auto data = store::DataDir::open(data_dir, dopt);
    store::RepoOptions ro;
    ro.dir = data->repo_dir();
    ro.quota_bytes = UINT64_MAX;  // reading must not depend on the node's quota
    auto repo = store::Repo::open(data->database(), ro);
    RepoDatasetBlocks blocks(*repo);
    for (const HostedSlot& s : slots) {
      try {
        const Manifest m = load_manifest(*repo, Cid::from_bytes(s.manifest_cid));
        slots::build_checked_slot(blocks, m, s.index);
      } catch (const std::exception& e) {
        out.push_back(node + " hosts " + s.label + " but its store cannot give it: " + e.what());
      }
    }
  } catch (const std::exception& e) {
    out.push_back(node + ": its data directory cannot be read: " + std::string(e.what()));
  }
  return out;
}

}  // namespace codex::devnet
