#include "agent/devnet/project_files.h"

#include <unistd.h>

#include <cstdlib>
#include <sstream>
#include <stdexcept>

namespace codex::devnet {
namespace fs = std::filesystem;

namespace {

bool executable(const fs::path& p) {
  return ::access(p.c_str(), X_OK) == 0 && !fs::is_directory(p);
}

}  // namespace

fs::path project_root() {
  if (const char* r = std::getenv("CODEX_ROOT"); r && *r) return r;
#ifdef CODEX_SOURCE_DIR
  if (fs::exists(fs::path(CODEX_SOURCE_DIR) / "configs")) return CODEX_SOURCE_DIR;
#endif
  return fs::current_path();
}

fs::path anvil_binary() {
  if (const char* a = std::getenv("CODEX_ANVIL"); a && *a) {
    if (!executable(a))
      throw std::runtime_error(std::string("$CODEX_ANVIL ") + a + " is not executable");
    return a;
  }
  const fs::path pinned = project_root() / "node_modules" / ".bin" / "anvil";
  if (executable(pinned)) return pinned;
  if (const char* path = std::getenv("PATH")) {
    std::stringstream dirs(path);
    for (std::string d; std::getline(dirs, d, ':');)
      if (!d.empty() && executable(fs::path(d) / "anvil")) return fs::path(d) / "anvil";
  }
  throw std::runtime_error("anvil not found at " + pinned.string() +
                           " nor on PATH: run scripts/setup (it installs the pinned anvil), or "
                           "set CODEX_ANVIL");
}

fs::path devnet_preset_file(const std::string& name_or_path) {
  if (name_or_path.find('/') != std::string::npos || name_or_path.ends_with(".toml"))
    return name_or_path;
  return project_root() / "configs" / "devnet" / (name_or_path + ".toml");
}

fs::path cache_dir() {
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) return fs::path(x) / "codex-agent";
  if (const char* h = std::getenv("HOME"); h && *h) return fs::path(h) / ".cache" / "codex-agent";
  return fs::temp_directory_path() / "codex-agent-cache";
}

}  // namespace codex::devnet
