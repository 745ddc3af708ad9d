#include "agent/config/node_config.h"

#include <cstdlib>

namespace codex::agent {

std::filesystem::path default_data_dir() {
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg)
    return std::filesystem::path(xdg) / "codex";
  if (const char* home = std::getenv("HOME"); home && *home)
    return std::filesystem::path(home) / ".cache" / "codex";
  return std::filesystem::path(".codex");
}

}  // namespace codex::agent
