#include "agent/devnet/run_files.h"

#include <stdlib.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <vector>

namespace codex::devnet {
namespace fs = std::filesystem;

fs::path prepare_run_dir(const fs::path& wanted, const std::string& tmp_prefix) {
  if (wanted.empty()) {
    std::string tmpl = (fs::temp_directory_path() / (tmp_prefix + ".XXXXXX")).string();
    if (!::mkdtemp(tmpl.data())) throw std::runtime_error("cannot create a temporary directory");
    return tmpl;
  }
  if (fs::exists(wanted) && !(fs::is_directory(wanted) && fs::is_empty(wanted)))
    throw std::runtime_error("--data-dir " + wanted.string() +
                             ": exists and is not empty (a run starts from a fresh chain; "
                             "stop and remove the old one first)");
  fs::create_directories(wanted);
  fs::permissions(wanted, fs::perms::owner_all);
  return fs::absolute(wanted);
}

void write_private(const fs::path& p, const std::string& text) {
  {
    // Created empty and restricted before the secret goes in.
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error("cannot write " + p.string());
  }
  fs::permissions(p, fs::perms::owner_read | fs::perms::owner_write);
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out.flush()) throw std::runtime_error("cannot write " + p.string());
}

std::string toml_string(const std::string& s) {
  return nlohmann::json(s).dump();  // a JSON string is a TOML basic string
}

std::string last_lines(const fs::path& log, size_t n) {
  std::ifstream in(log);
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) {
    lines.push_back(l);
    if (lines.size() > n) lines.erase(lines.begin());
  }
  std::string out;
  for (const auto& l : lines)
    out += "    " + l + "\n";
  return out;
}

}  // namespace codex::devnet
