#pragma once
// A client of a running node's REST API (libcurl), used by `codex-agent
// upload` / `download` and by tests. Streams files; never holds them whole.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

namespace codex::agent {

// Called with (bytes done, bytes total or 0 when unknown); return false to abort.
using Progress = std::function<bool(uint64_t done, uint64_t total)>;

// An HTTP answer that is not 2xx.
class HttpError : public std::runtime_error {
 public:
  HttpError(long status, const std::string& body)
      : std::runtime_error("HTTP " + std::to_string(status) + ": " + body), status_(status) {}
  long status() const { return status_; }

 private:
  long status_;
};

class RestClient {
 public:
  // base_url like "http://127.0.0.1:8080/api/codex/v1"; with a token, every
  // request sends "Authorization: Bearer <token>" (a node's --api-token-file).
  explicit RestClient(std::string base_url, std::optional<std::string> token = {});

  // POST /data with the file's bytes; returns the manifest CID string.
  // Throws HttpError on a non-2xx answer, std::runtime_error on I/O failure.
  std::string upload(const std::filesystem::path& file, std::optional<std::string> mimetype = {},
                     std::optional<std::string> filename = {}, Progress progress = {});
  // GET /data/{cid} into a file (written to file.part, renamed when complete).
  // Returns the bytes written. With from_network, GET /data/{cid}/network/stream:
  // the node fetches the blocks from its peers.
  uint64_t download(const std::string& cid, const std::filesystem::path& file,
                    Progress progress = {}, bool from_network = false);
  // GET path (relative to the base URL) and return the body; throws HttpError.
  std::string get(const std::string& path);
  // POST a JSON body to path and return the answer's body; throws HttpError.
  std::string post_json(const std::string& path, const std::string& json);

 private:
  std::string base_;
  std::optional<std::string> token_;
};

}  // namespace codex::agent
