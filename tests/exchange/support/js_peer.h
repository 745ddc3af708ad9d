#pragma once
// js-libp2p peers for interoperability tests: the scripts in tests/interop/
// run under node with the Node.js 20 polyfill and print one JSON object per
// line ({"event": …}) into their log file.
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/child_process.h"
#include "tests/support/require_tool.h"

namespace codex::test {

// Whether node runs and the npm package (e.g. "libp2p", "@libp2p/kad-dht")
// is installed in the repository (scripts/setup: npm ci).
inline bool js_package_installed(const std::string& package) {
  return codex::testing::node_runs() &&
         std::filesystem::exists(std::string(CODEX_SOURCE_DIR) + "/node_modules/" + package);
}

// Starts tests/interop/<script> with `args`; stdout and stderr go to `log`.
inline std::unique_ptr<ChildProcess> start_js_peer(const std::string& script,
                                                   std::vector<std::string> args,
                                                   const std::string& log) {
  const std::string dir = std::string(CODEX_SOURCE_DIR) + "/tests/interop/";
  std::vector<std::string> argv = {"/usr/bin/env", "node", "--import", dir + "node20_polyfill.mjs",
                                   dir + script};
  argv.insert(argv.end(), args.begin(), args.end());
  return std::make_unique<ChildProcess>(argv, log);
}

inline std::string read_log(const std::string& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), {}};
}

// The events of `kind` the peer printed so far (every event when empty).
inline std::vector<nlohmann::json> js_events(const std::string& log, const std::string& kind = "") {
  std::vector<nlohmann::json> out;
  std::ifstream in(log);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] != '{') continue;
    try {
      auto e = nlohmann::json::parse(line);
      if (kind.empty() || e.value("event", "") == kind) out.push_back(std::move(e));
    } catch (const nlohmann::json::exception&) {
    }
  }
  return out;
}

// The first event of `kind` within `limit`; null when none came.
inline nlohmann::json wait_js_event(const std::string& log, const std::string& kind,
                                    std::chrono::milliseconds limit) {
  const auto end = std::chrono::steady_clock::now() + limit;
  for (;;) {
    const auto e = js_events(log, kind);
    if (!e.empty()) return e[0];
    if (std::chrono::steady_clock::now() >= end) return nullptr;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

}  // namespace codex::test
