#include "agent/api/protected_fetches.h"

#include <spdlog/spdlog.h>

#include "base/parallel/worker_pool.h"
#include "exchange/dataset/repo_dataset_blocks.h"
#include "exchange/erasure/leaf_entries.h"
#include "exchange/net/error.h"
#include "exchange/net/protected_download.h"

namespace codex::agent {

ProtectedFetches::~ProtectedFetches() {
  stop();
}

void ProtectedFetches::stop() {
  stopping_ = true;
  std::lock_guard lock(mu_);
  for (auto& job : jobs_)
    job->thread.join();
  jobs_.clear();
}

void ProtectedFetches::start(const std::string& cid, const Manifest& pm) {
  // Checked here, so that a manifest that cannot be decoded is the caller's error.
  auto download = std::make_shared<net::ProtectedDownload>(network_, pm);
  std::lock_guard lock(mu_);
  if (stopping_) throw net::NetError("the node is stopping");
  // Finished downloads' threads are joined as new ones start.
  std::erase_if(jobs_, [](const std::unique_ptr<Job>& job) {
    if (!job->done) return false;
    job->thread.join();
    return true;
  });
  auto job = std::make_unique<Job>();
  Job& j = *job;
  j.thread = std::thread([this, &j, cid, download] {
    run(cid, *download);
    j.done = true;
  });
  jobs_.push_back(std::move(job));
}

void ProtectedFetches::run(const std::string& cid, net::ProtectedDownload& download) const {
  const Manifest& pm = download.manifest();
  try {
    RepoDatasetBlocks blocks(repo_);
    for (uint64_t first = 0; first < download.blocks(); first += download.window_blocks()) {
      if (stopping_) {
        spdlog::info("api: background download of {} stopped at block {}", cid, first);
        return;
      }
      const uint64_t before = download.recovered();
      const auto window = download.window(first);
      // Fetched blocks are stored already (by the block exchange); the
      // recovered ones are not.
      if (download.recovered() != before)
        for (const std::string& b : window) {
          const std::span<const uint8_t> bytes(reinterpret_cast<const uint8_t*>(b.data()),
                                               b.size());
          blocks.put_block(Cid::sha256_of(pm.codec, bytes), bytes);
        }
    }
    base::WorkerPool pool(2);
    erasure::store_all_leaf_entries(pool, blocks, *download.original_tree(), pm.codec);
    spdlog::info("api: background download of {} ({} blocks, {} recovered by decoding) finished",
                 cid, download.blocks(), download.recovered());
  } catch (const std::exception& e) {
    spdlog::warn("api: background download of {} failed: {}", cid, e.what());
  }
}

}  // namespace codex::agent
