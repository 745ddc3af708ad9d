#include "agent/commands/config_file_format.h"

#include <toml++/toml.h>
#include <iterator>
#include <nlohmann/json.hpp>
#include <sstream>

namespace codex::agent {
namespace {

CLI::ConfigItem item(std::string name, std::vector<std::string> inputs) {
  CLI::ConfigItem it;
  it.name = std::move(name);
  it.inputs = std::move(inputs);
  return it;
}

std::string toml_scalar(const std::string& key, const toml::node& v) {
  if (auto s = v.value<std::string>(); s && v.is_string()) return *s;
  if (v.is_integer()) return std::to_string(*v.value<int64_t>());
  if (v.is_floating_point()) return std::to_string(*v.value<double>());
  if (v.is_boolean()) return *v.value<bool>() ? "true" : "false";
  throw CLI::ConversionError("config file: '" + key + "' must be a string, number or boolean");
}

std::string json_scalar(const std::string& key, const nlohmann::json& v) {
  if (v.is_string()) return v.get<std::string>();
  // Unsigned first: is_number_integer() is true for unsigned numbers too, and
  // get<int64_t>() turned those above 2^63 - 1 negative (seen writing its fuzz harness).
  if (v.is_number_unsigned()) return std::to_string(v.get<uint64_t>());
  if (v.is_number_integer()) return std::to_string(v.get<int64_t>());
  if (v.is_number_float()) return std::to_string(v.get<double>());
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  throw CLI::ConversionError("config file: '" + key + "' must be a string, number or boolean");
}

}  // namespace

std::string ConfigFileFormat::to_config(const CLI::App*, bool, bool, std::string) const {
  return {};  // writing config files is not offered
}

std::vector<CLI::ConfigItem> ConfigFileFormat::from_config(std::istream& input) const {
  std::string text((std::istreambuf_iterator<char>(input)), std::istreambuf_iterator<char>());
  size_t first = text.find_first_not_of(" \t\r\n");
  std::vector<CLI::ConfigItem> items;
  if (first != std::string::npos && text[first] == '{') {
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(text);
    } catch (const nlohmann::json::parse_error& e) {
      throw CLI::ConversionError(std::string("config file: invalid JSON: ") + e.what());
    }
    for (auto& [key, v] : j.items()) {
      std::vector<std::string> in;
      if (v.is_array())
        for (auto& e : v)
          in.push_back(json_scalar(key, e));
      else
        in.push_back(json_scalar(key, v));
      items.push_back(item(key, std::move(in)));
    }
    return items;
  }
  toml::table table;
  try {
    table = toml::parse(text);
  } catch (const toml::parse_error& e) {
    std::ostringstream msg;
    msg << "config file: invalid TOML: " << e.description() << " at line " << e.source().begin.line;
    throw CLI::ConversionError(msg.str());
  }
  for (auto& [k, v] : table) {
    std::string key(k.str());
    std::vector<std::string> in;
    if (auto* arr = v.as_array())
      for (auto& e : *arr)
        in.push_back(toml_scalar(key, e));
    else if (v.is_table())
      throw CLI::ConversionError("config file: '" + key +
                                 "' is a table; options are top-level keys");
    else
      in.push_back(toml_scalar(key, v));
    items.push_back(item(key, std::move(in)));
  }
  return items;
}

}  // namespace codex::agent
