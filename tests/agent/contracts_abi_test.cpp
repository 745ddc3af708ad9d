// The embedded contract artifacts (contracts-abi/artifacts) against the spec:
// every selector, topic and error of spec/marketplace.md §5-§7 and §12 and of
// tests/data/codex-abi-vectors.json, recomputed with keccak-256 from the ABI.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "agent/eth/keccak.h"
#include "base/hex.h"
#include "contracts-abi/artifacts.h"
#include "tests/support/require_tool.h"

namespace {

using nlohmann::json;

const std::vector<std::string> kArtifacts = {"Marketplace", "TestMarketplace", "Groth16Verifier",
                                             "TestVerifier", "TestToken"};

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

json artifact(const std::string& name) {
  auto text = codex::contracts::find_artifact(name);
  if (!text) throw std::runtime_error("artifact not embedded: " + name);
  return json::parse(*text);
}

// Canonical ABI type with tuples expanded: (uint256,(bytes,bytes32))[]
std::string canonical_type(const json& param) {
  std::string type = param.at("type");
  if (type.rfind("tuple", 0) != 0) return type;
  std::string out = "(";
  for (const auto& c : param.at("components"))
    out += (out.size() > 1 ? "," : "") + canonical_type(c);
  return out + ")" + type.substr(5);
}

std::string canonical_list(const json& params) {
  std::string out = "(";
  for (const auto& p : params)
    out += (out.size() > 1 ? "," : "") + canonical_type(p);
  return out + ")";
}

std::string signature(const json& item) {
  return item.at("name").get<std::string>() + canonical_list(item.at("inputs"));
}

std::string keccak_hex(const std::string& text, size_t bytes) {
  auto digest = codex::eth::keccak256(std::string_view(text));
  return codex::base::to_hex(std::span(digest).first(bytes));
}

// Selector (4 bytes) of a function or error, topic0 (32 bytes) of an event.
std::string abi_hash(const json& item) {
  return keccak_hex(signature(item), item.at("type") == "event" ? 32 : 4);
}

struct SpecEntry {
  std::string hash;  // 0x + 8 or 64 hex digits
  std::string name;  // function, event or error name
};

std::string trim(const std::string& s) {
  auto b = s.find_first_not_of(" \t`");
  auto e = s.find_last_not_of(" \t`");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

// The identifier a table cell names: the first one followed by '(', else the
// first identifier ("ERC20 `Transfer(address indexed from, …)`" -> Transfer).
std::string name_in_cell(const std::string& cell) {
  std::smatch m;
  static const std::regex call(R"(([A-Za-z_][A-Za-z0-9_]*)\s*\()");
  static const std::regex ident(R"([A-Za-z_][A-Za-z0-9_]*)");
  if (std::regex_search(cell, m, call)) return m[1];
  if (std::regex_search(cell, m, ident)) return m[0];
  return "";
}

// Every (hash, name) pair of the spec's tables and of inline mentions.
std::vector<SpecEntry> spec_entries() {
  std::vector<SpecEntry> out;
  std::istringstream in(read_file(std::string(CODEX_SOURCE_DIR) + "/docs/spec/marketplace.md"));
  static const std::regex hash_cell(R"(^0x([0-9a-f]{8}|[0-9a-f]{64})$)");
  // "`f(bytes32)` `0x…`" (§5.4) and "`verify(…) → bool`, selector `0x…`" (§11)
  static const std::regex inline_pair(
      R"(`([A-Za-z_][A-Za-z0-9_]*)\([^`]*`,? (?:selector )?`(0x[0-9a-f]{8})`)");
  for (std::string line; std::getline(in, line);) {
    for (std::sregex_iterator it(line.begin(), line.end(), inline_pair), end; it != end; ++it)
      out.push_back({(*it)[2], (*it)[1]});
    if (line.empty() || line[0] != '|') continue;
    std::vector<std::string> cells;
    std::stringstream row(line.substr(1));
    for (std::string cell; std::getline(row, cell, '|');)
      cells.push_back(trim(cell));
    for (size_t i = 0; i < cells.size(); ++i) {
      if (!std::regex_match(cells[i], hash_cell)) continue;
      // name in the next cell (selector | name), else the previous (name | selector)
      std::string name = i + 1 < cells.size() ? name_in_cell(cells[i + 1]) : "";
      if (name.empty() && i > 0) name = name_in_cell(cells[i - 1]);
      out.push_back({cells[i], name});
    }
  }
  return out;
}

// hash -> names of every function, event and error in the given artifacts.
std::multimap<std::string, std::string> abi_hashes(const std::vector<std::string>& names) {
  std::multimap<std::string, std::string> out;
  for (const auto& n : names) {
    const json a = artifact(n);  // kept alive: a range over a temporary's member dangles
    for (const auto& item : a.at("abi")) {
      auto type = item.at("type").get<std::string>();
      if (type == "function" || type == "event" || type == "error")
        out.emplace(abi_hash(item), item.at("name"));
    }
  }
  return out;
}

const json& find_item(const json& abi, const std::string& type, const std::string& name) {
  for (const auto& item : abi)
    if (item.at("type") == type && item.value("name", "") == name) return item;
  throw std::runtime_error("no " + type + " " + name);
}

// 0x followed by whole bytes (no std::regex: it recurses per character)
bool is_hex(const std::string& s) {
  return s.size() > 2 && s.size() % 2 == 0 && s.rfind("0x", 0) == 0 &&
         s.find_first_not_of("0123456789abcdef", 2) == std::string::npos;
}

json vectors() {
  return json::parse(
      read_file(std::string(CODEX_SOURCE_DIR) + "/tests/data/codex-abi-vectors.json"));
}

TEST(ContractsAbi, ArtifactsAreEmbeddedWithPinnedCompiler) {
  for (const auto& name : kArtifacts) {
    SCOPED_TRACE(name);
    json a = artifact(name);
    EXPECT_EQ(a.at("contractName"), name);
    EXPECT_EQ(a.at("compiler").at("version").get<std::string>().rfind("0.8.28+", 0), 0u);
    const auto& settings = a.at("compiler").at("settings");
    EXPECT_EQ(settings.at("optimizer").at("enabled"), true);
    EXPECT_EQ(settings.at("optimizer").at("runs"), 1000);
    EXPECT_EQ(settings.at("evmVersion"), "paris");
    auto runtime = a.at("deployedBytecode").get<std::string>();
    EXPECT_TRUE(is_hex(a.at("bytecode")));
    EXPECT_TRUE(is_hex(runtime));
    EXPECT_GT(runtime.size(), 100u);
    EXPECT_LE((runtime.size() - 2) / 2, 24576u) << "over the EIP-170 code size limit";
  }
}

TEST(ContractsAbi, EverySpecSelectorTopicAndErrorIsInTheAbi) {
  auto entries = spec_entries();
  // §5.1 29 functions, §5.4 4, §5.6 verify, §6 10 events, §7 37 + 6 errors, §12 10
  ASSERT_GE(entries.size(), 90u) << "spec tables not parsed";
  auto ours = abi_hashes(kArtifacts);
  size_t events = 0;
  for (const auto& e : entries) {
    SCOPED_TRACE(e.hash + " " + e.name);
    bool found = false;
    for (auto [it, end] = ours.equal_range(e.hash); it != end; ++it)
      found |= it->second == e.name;
    EXPECT_TRUE(found) << "no ABI entry " << e.name << " with this hash";
    events += e.hash.size() == 66;
  }
  EXPECT_EQ(events, 10u);
}

TEST(ContractsAbi, MarketplaceAbiHasNothingBeyondTheSpec) {
  std::set<std::string> spec;
  for (const auto& e : spec_entries())
    spec.insert(e.hash);
  for (const char* name : {"Marketplace", "TestMarketplace", "Groth16Verifier", "TestVerifier"}) {
    const json a = artifact(name);
    for (const auto& item : a.at("abi")) {
      if (item.at("type") == "constructor") continue;
      EXPECT_TRUE(spec.count(abi_hash(item)))
          << name << ": " << signature(item) << " is not in the spec";
    }
  }
}

// The hashes the compile script records (js-sha3) agree with our keccak.
TEST(ContractsAbi, RecordedIdentifiersMatchKeccak) {
  for (const auto& name : kArtifacts) {
    SCOPED_TRACE(name);
    json a = artifact(name);
    size_t functions = 0;
    for (const auto& item : a.at("abi")) {
      if (item.at("type") == "constructor") continue;
      auto sig = signature(item);
      if (item.at("type") == "function") {
        EXPECT_EQ("0x" + a.at("methodIdentifiers").at(sig).get<std::string>(), abi_hash(item))
            << sig;
        ++functions;
      } else if (item.at("type") == "event") {
        EXPECT_EQ(a.at("events").at(sig), abi_hash(item)) << sig;
      } else if (item.at("type") == "error") {
        EXPECT_EQ(a.at("errors").at(sig), abi_hash(item)) << sig;
      }
    }
    EXPECT_EQ(functions, a.at("methodIdentifiers").size());
  }
}

TEST(ContractsAbi, VectorCalldataSelectorsMatch) {
  json v = vectors();
  json abi = artifact("Marketplace").at("abi");
  size_t checked = 0;
  for (const auto& [key, calldata] : v.at("calldata").items()) {
    SCOPED_TRACE(key);
    std::string selector = calldata.get<std::string>().substr(0, 10);
    std::vector<std::string> matches;
    for (const auto& item : abi)
      if (item.at("type") == "function" && (signature(item) == key || item.at("name") == key))
        matches.push_back(abi_hash(item));
    ASSERT_EQ(matches.size(), 1u) << "ambiguous or missing function";
    EXPECT_EQ(matches[0], selector);
    ++checked;
  }
  EXPECT_EQ(checked, 9u);
  std::string verify = v.at("groth16").at("verifyCalldata").get<std::string>().substr(0, 10);
  for (const char* name : {"Groth16Verifier", "TestVerifier"})
    EXPECT_EQ(abi_hash(find_item(artifact(name).at("abi"), "function", "verify")), verify) << name;
}

TEST(ContractsAbi, StructLayoutsMatchTheSpec) {
  const std::string request =
      "(address,(uint256,uint256,uint256,uint64,uint64,uint64,uint64),(bytes,bytes32),uint64,"
      "bytes32)";
  const std::string proof =
      "((uint256,uint256),((uint256,uint256),(uint256,uint256)),(uint256,uint256))";
  const std::string g2 = "((uint256,uint256),(uint256,uint256))";
  json abi = artifact("Marketplace").at("abi");
  EXPECT_EQ(canonical_list(find_item(abi, "function", "requestStorage").at("inputs")),
            "(" + request + ")");
  EXPECT_EQ(canonical_list(find_item(abi, "function", "getRequest").at("outputs")),
            "(" + request + ")");
  EXPECT_EQ(canonical_list(find_item(abi, "function", "getActiveSlot").at("outputs")),
            "((" + request + ",uint64))");
  EXPECT_EQ(canonical_list(find_item(abi, "function", "fillSlot").at("inputs")),
            "(bytes32,uint64," + proof + ")");
  EXPECT_EQ(canonical_list(find_item(abi, "function", "requestState").at("outputs")), "(uint8)");
  EXPECT_EQ(canonical_list(find_item(abi, "function", "slotState").at("outputs")), "(uint8)");
  EXPECT_EQ(canonical_list(find_item(abi, "function", "missingProofs").at("outputs")), "(uint64)");

  // vectors' configurationType without the member names
  std::string config = vectors().at("configurationType");
  config = std::regex_replace(config, std::regex(R"(\s+[A-Za-z_][A-Za-z0-9_]*(?=[,)]))"), "");
  config = std::regex_replace(config, std::regex(R"(\s)"), "");
  EXPECT_EQ(canonical_list(find_item(abi, "function", "configuration").at("outputs")),
            "(" + config + ")");
  EXPECT_EQ(canonical_list(find_item(abi, "constructor", "").at("inputs")),
            "(" + config + ",address,address)");

  json verifier = artifact("Groth16Verifier").at("abi");
  EXPECT_EQ(canonical_list(find_item(verifier, "constructor", "").at("inputs")),
            "(((uint256,uint256)," + g2 + "," + g2 + "," + g2 + ",(uint256,uint256)[]))");
  EXPECT_EQ(canonical_list(find_item(verifier, "function", "verify").at("inputs")),
            "(" + proof + ",uint256[])");
}

// The committed artifacts record the hash of the current sources and the pinned
// compiler (compile.mjs --check; --check --full recompiles, about 30 s).
TEST(ContractsArtifacts, MatchTheSources) {
  CODEX_REQUIRE_TOOL(codex::testing::node_runs(), "node");
  std::string cmd =
      "cd '" + std::string(CODEX_SOURCE_DIR) + "' && node contracts-abi/compile.mjs --check";
  EXPECT_EQ(std::system(cmd.c_str()), 0)
      << "artifacts are stale: run node contracts-abi/compile.mjs";
}

// The check fails once a source changes (on a copy of the tree).
TEST(ContractsArtifacts, CheckNoticesAChangedSource) {
  CODEX_REQUIRE_TOOL(codex::testing::node_runs(), "node");
  namespace fs = std::filesystem;
  fs::path src = CODEX_SOURCE_DIR;
  std::string tmpl = (std::filesystem::temp_directory_path() / "codex-compile-check-XXXXXX").string();
  fs::path tmp = mkdtemp(tmpl.data());
  fs::create_directories(tmp / "contracts-abi");
  fs::copy(src / "contracts-abi" / "compile.mjs", tmp / "contracts-abi");
  fs::copy(src / "contracts-abi" / "contracts", tmp / "contracts-abi" / "contracts");
  fs::copy(src / "contracts-abi" / "artifacts", tmp / "contracts-abi" / "artifacts");
  fs::copy(src / "package.json", tmp);
  fs::create_directory_symlink(src / "node_modules", tmp / "node_modules");
  std::string cmd =
      "cd '" + tmp.string() + "' && node contracts-abi/compile.mjs --check > /dev/null 2>&1";
  EXPECT_EQ(std::system(cmd.c_str()), 0) << "the unchanged copy passes";
  std::ofstream(tmp / "contracts-abi" / "contracts" / "Endian.sol", std::ios::app)
      << "// changed\n";
  EXPECT_NE(std::system(cmd.c_str()), 0) << "a changed source is noticed";
  fs::remove_all(tmp);
}

}  // namespace
