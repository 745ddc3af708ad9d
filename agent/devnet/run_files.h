#pragma once
// Files of a local network run (`codex-agent devnet`, `codex-agent stress`):
// its data directory, private files (keys, node configs) and the end of a log
// for error messages.
#include <cstddef>
#include <filesystem>
#include <string>

namespace codex::devnet {

// The run's data directory: `wanted` (must be new or empty; made 0700) or,
// when empty, a new temporary one named `tmp_prefix`.XXXXXX. Returns an
// absolute path. Throws std::runtime_error naming --data-dir.
std::filesystem::path prepare_run_dir(const std::filesystem::path& wanted,
                                      const std::string& tmp_prefix);

// Writes `text` to `p` readable by its owner only (keys). Throws
// std::runtime_error.
void write_private(const std::filesystem::path& p, const std::string& text);

// A TOML basic string ("..." with escapes).
std::string toml_string(const std::string& s);

// The last `n` lines of a log, each indented by four spaces ("" if unreadable).
std::string last_lines(const std::filesystem::path& log, size_t n);

}  // namespace codex::devnet
