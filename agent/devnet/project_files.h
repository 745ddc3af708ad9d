#pragma once
// Where the devnet finds what ships beside the program rather than inside it:
// the pinned anvil (node_modules/.bin/anvil, installed by scripts/setup), the
// chain presets (configs/chain-*.json) and the devnet presets
// (configs/devnet/*.toml). The root is $CODEX_ROOT, else the source tree the
// program was built from, else the current directory.
#include <filesystem>
#include <string>

namespace codex::devnet {

std::filesystem::path project_root();

// $CODEX_ANVIL, else the root's node_modules/.bin/anvil, else `anvil` on
// PATH. Throws std::runtime_error saying how to install it.
std::filesystem::path anvil_binary();

// NAME (configs/devnet/NAME.toml) or a file path.
std::filesystem::path devnet_preset_file(const std::string& name_or_path);

// The cache of generated files (the development proving key):
// $XDG_CACHE_HOME/codex-agent, else ~/.cache/codex-agent.
std::filesystem::path cache_dir();

}  // namespace codex::devnet
