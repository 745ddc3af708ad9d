// `codex-agent upload FILE` and `codex-agent download CID`: clients of a
// running node's REST API, with a progress bar on a terminal.
#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>

#include "agent/api/api_token.h"
#include "agent/api/utf8.h"
#include "agent/client/rest_client.h"
#include "agent/commands/commands.h"
#include "agent/commands/progress_bar.h"
#include "base/cli/unsigned_range.h"

namespace codex::agent {
namespace {

struct ApiOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;
  std::string token_file;
  std::string base() const {
    return "http://" + host + ":" + std::to_string(port) + "/api/codex/v1";
  }
  // A client with the token of --api-token-file (private, like the node's).
  RestClient client() const {
    if (token_file.empty()) return RestClient(base());
    return RestClient(base(), read_api_token(token_file));
  }
};

void add_api_options(CLI::App* cmd, ApiOptions& o) {
  cmd->add_option("--api-host", o.host, "Node's REST API address")
      ->capture_default_str()
      ->envname("CODEX_API_BINDADDR");
  cmd->add_option("-p,--api-port", o.port, "Node's REST API port")
      ->capture_default_str()
      ->check(base::cli::UnsignedRange(1, 65535))
      ->envname("CODEX_API_PORT");
  cmd->add_option("--api-token-file", o.token_file,
                  "File (mode 0600) with the node's API token, sent as a bearer token")
      ->envname("CODEX_API_TOKEN_FILE");
}

}  // namespace

void add_upload_command(CLI::App& app, int* rc) {
  struct Opts {
    ApiOptions api;
    std::string file, mimetype, name;
  };
  auto o = std::make_shared<Opts>();
  CLI::App* cmd = app.add_subcommand("upload", "Upload a file to a running node; prints its CID");
  add_api_options(cmd, o->api);
  cmd->add_option("file", o->file, "File to upload")->required()->check(CLI::ExistingFile);
  cmd->add_option("--mimetype", o->mimetype, "Content type to record");
  cmd->add_option("--filename", o->name, "File name to record (default: the file's name)");
  cmd->callback([o, rc] {
    RestClient client = o->api.client();
    ProgressBar bar("upload");
    std::string name =
        o->name.empty() ? std::filesystem::path(o->file).filename().string() : o->name;
    // The node refuses names that are not UTF-8 (they are shown in JSON);
    // say so before sending the file.
    if (!is_valid_utf8(name))
      throw std::runtime_error("the file name '" + name +
                               "' is not UTF-8; give the name to record with --filename");
    std::optional<std::string> mime;
    if (!o->mimetype.empty()) mime = o->mimetype;
    std::string cid = client.upload(o->file, mime, name, [&](uint64_t d, uint64_t t) {
      bar.update(d, t);
      return true;
    });
    bar.finish();
    std::cout << cid << "\n";
    *rc = 0;
  });
}

void add_download_command(CLI::App& app, int* rc) {
  struct Opts {
    ApiOptions api;
    std::string cid, out;
    bool local = false;
  };
  auto o = std::make_shared<Opts>();
  CLI::App* cmd = app.add_subcommand(
      "download", "Download a dataset through a running node (from its peers when not local)");
  add_api_options(cmd, o->api);
  cmd->add_option("cid", o->cid, "Manifest CID")->required();
  cmd->add_option("-o,--output", o->out, "Output file (default: the CID)");
  cmd->add_flag("--local", o->local, "Only what the node stores itself: no network fetch");
  cmd->callback([o, rc] {
    RestClient client = o->api.client();
    ProgressBar bar("download");
    std::string out = o->out.empty() ? o->cid : o->out;
    auto progress = [&](uint64_t d, uint64_t t) {
      bar.update(d, t);
      return true;
    };
    uint64_t n = 0;
    try {
      n = client.download(o->cid, out, progress);
    } catch (const HttpError& e) {
      if (e.status() != 404 || o->local) throw;
      std::cerr << "not stored on the node: fetching it from the network\n";
      n = client.download(o->cid, out, progress, true);
    }
    bar.finish();
    std::cerr << "wrote " << n << " bytes to " << out << "\n";
    *rc = 0;
  });
}

}  // namespace codex::agent
