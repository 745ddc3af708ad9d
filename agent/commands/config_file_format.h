#pragma once
// Reads `--config-file` for CLI11: TOML (parsed with toml++) or JSON (nlohmann),
// told apart by the first character. Keys are the long option names without
// dashes ("data-dir", "storage-quota"); values are strings, numbers, booleans
// or arrays of them. Unknown keys are errors (CLI11 reports them).
#include <CLI/CLI.hpp>

namespace codex::agent {

class ConfigFileFormat : public CLI::Config {
 public:
  std::string to_config(const CLI::App* app, bool default_also, bool write_description,
                        std::string prefix) const override;
  // Throws CLI::ParseError (CLI::ConversionError) with the parser's message.
  std::vector<CLI::ConfigItem> from_config(std::istream& input) const override;
};

}  // namespace codex::agent
