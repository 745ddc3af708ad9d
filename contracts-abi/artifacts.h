#pragma once
// Contract artifacts (solc-js output: ABI and bytecode JSON) embedded at build time.
#include <optional>
#include <span>
#include <string_view>

namespace codex::contracts {

struct Artifact {
  std::string_view name;  // file stem, e.g. "Marketplace"
  std::string_view json;  // the artifact file's text
};

// Every artifact under contracts-abi/artifacts/, in file-name order.
std::span<const Artifact> all_artifacts();

// The artifact with this name, if embedded.
inline std::optional<std::string_view> find_artifact(std::string_view name) {
  for (const auto& a : all_artifacts())
    if (a.name == name) return a.json;
  return std::nullopt;
}

}  // namespace codex::contracts
