#pragma once
// Background downloads of protected datasets (POST /data/{cid}/network on a
// protected manifest): each on a thread of its own, window by window through
// net::ProtectedDownload (decoding the steps whose blocks no peer delivers),
// storing the recovered blocks and, at the end, the original tree's leaves
// with their proofs, so that the dataset then reads locally (GET /data/{cid}).
// Outcomes go to the log.
//
// Thread-safe. stop() (and the destructor) asks every download to stop
// after its window in flight and joins them: call it before the network and
// the repo go. A window in flight takes at most the attempts of its lost
// blocks (seconds).
#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "exchange/manifest/manifest.h"

namespace codex::store {
class Repo;
}
namespace codex::net {
class Network;
class ProtectedDownload;
}  // namespace codex::net

namespace codex::agent {

class ProtectedFetches {
 public:
  ProtectedFetches(store::Repo& repo, net::Network& network) : repo_(repo), network_(network) {}
  ~ProtectedFetches();
  ProtectedFetches(const ProtectedFetches&) = delete;
  ProtectedFetches& operator=(const ProtectedFetches&) = delete;

  // Starts downloading `protected_manifest` (stored under `cid`). Throws
  // erasure::ErasureError for a manifest that cannot be decoded.
  void start(const std::string& cid, const Manifest& protected_manifest);
  // Idempotent; start() then throws net::NetError.
  void stop();

 private:
  struct Job {
    std::thread thread;
    std::atomic<bool> done{false};
  };
  void run(const std::string& cid, net::ProtectedDownload& download) const;

  store::Repo& repo_;
  net::Network& network_;
  std::atomic<bool> stopping_{false};
  std::mutex mu_;
  std::vector<std::unique_ptr<Job>> jobs_;
};

}  // namespace codex::agent
