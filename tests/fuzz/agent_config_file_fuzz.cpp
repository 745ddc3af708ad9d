// `--config-file` contents (ConfigFileFormat::from_config: TOML, or JSON when
// the first character is '{'): items or CLI::ParseError. For JSON, every
// scalar item is the value as written (an integer's digits unchanged).
#include <nlohmann/json.hpp>
#include <sstream>

#include "agent/commands/config_file_format.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(codex::fuzz::text(data, size));
  std::istringstream in(text);
  std::vector<CLI::ConfigItem> items;
  try {
    items = codex::agent::ConfigFileFormat().from_config(in);
  } catch (const CLI::ParseError&) {
    return 0;
  }
  const size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos || text[first] != '{') return 0;
  const auto doc = nlohmann::json::parse(text);
  FUZZ_CHECK(items.size() == doc.size());
  for (const auto& item : items) {
    const auto& v = doc.at(item.name);
    if (v.is_number_integer()) FUZZ_CHECK(item.inputs.size() == 1 && item.inputs[0] == v.dump());
  }
  return 0;
}
