#include "prover/slots/circuit_input.h"

#include <algorithm>
#include <array>

#include "prover/error.h"
#include "prover/formats/json.h"

namespace codex::prover::slots {
namespace {

using formats::Json;

[[noreturn]] void bad(const std::string& where, const std::string& what) {
  throw InvalidInput("circuit input JSON: " + where + ": " + what);
}

// The decimal text of a scalar: a string or a number, digits only, no
// leading zero (except "0" itself).
const std::string& decimal_text(const Json& v, const std::string& where) {
  if (v.kind() != Json::Kind::kString && v.kind() != Json::Kind::kNumber) {
    bad(where, std::string("expected a decimal string, got ") + Json::kind_name(v.kind()));
  }
  const std::string& t = v.text();
  if (t.empty() || !std::all_of(t.begin(), t.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    bad(where, "\"" + t + "\" is not a non-negative decimal integer");
  }
  if (t.size() > 1 && t[0] == '0') bad(where, "\"" + t + "\" has a leading zero");
  return t;
}

Fr field_of(const Json& v, const std::string& where) {
  const std::string& t = decimal_text(v, where);
  if (t.size() > 80) bad(where, "value is not below the field modulus r");
  try {
    return Fr::from_decimal(t);
  } catch (const InvalidInput& e) {
    bad(where, e.what());
  }
}

uint64_t u64_of(const Json& v, const std::string& where) {
  const std::string& t = decimal_text(v, where);
  const std::string max = std::to_string(UINT64_MAX);
  if (t.size() > max.size() || (t.size() == max.size() && t > max)) {
    bad(where, t + " does not fit in 64 bits");
  }
  return std::stoull(t);
}

const std::vector<Json>& array_of(const Json& v, const std::string& where, size_t want) {
  if (!v.is_array()) bad(where, std::string("expected an array, got ") + Json::kind_name(v.kind()));
  if (want != 0 && v.items().size() != want) {
    bad(where,
        "has " + std::to_string(v.items().size()) + " entries, expected " + std::to_string(want));
  }
  return v.items();
}

std::vector<Fr> field_array(const Json& v, const std::string& where, size_t want) {
  std::vector<Fr> out;
  const auto& items = array_of(v, where, want);
  out.reserve(items.size());
  for (size_t i = 0; i < items.size(); ++i)
    out.push_back(field_of(items[i], where + "[" + std::to_string(i) + "]"));
  return out;
}

// rows × cols; a zero want takes the size from the file (the first row fixes
// the column count).
std::vector<std::vector<Fr>> field_matrix(const Json& v, const std::string& key, size_t rows,
                                          size_t cols) {
  const auto& items = array_of(v, key, rows);
  if (items.empty()) bad(key, "has no rows (at least one sample is needed)");
  std::vector<std::vector<Fr>> out;
  out.reserve(items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    out.push_back(field_array(items[i], key + "[" + std::to_string(i) + "]", cols));
    if (cols == 0) cols = out.back().size();
    if (cols == 0) bad(key + "[0]", "is empty");
  }
  return out;
}

void put_string(std::string& out, const Fr& x) {
  out += '"';
  out += x.to_decimal();
  out += '"';
}

// An array of decimal strings at nesting depth `level` (its items indented by
// level + 1 spaces), as json.dumps(indent=1) prints it.
void put_array(std::string& out, const std::vector<Fr>& xs, int level) {
  if (xs.empty()) {
    out += "[]";
    return;
  }
  out += "[\n";
  for (size_t i = 0; i < xs.size(); ++i) {
    out.append(level + 1, ' ');
    put_string(out, xs[i]);
    out += i + 1 < xs.size() ? ",\n" : "\n";
  }
  out.append(level, ' ');
  out += ']';
}

void put_matrix(std::string& out, const std::vector<std::vector<Fr>>& rows) {
  if (rows.empty()) {
    out += "[]";
    return;
  }
  out += "[\n";
  for (size_t i = 0; i < rows.size(); ++i) {
    out += "  ";
    put_array(out, rows[i], 2);
    out += i + 1 < rows.size() ? ",\n" : "\n";
  }
  out += " ]";
}

}  // namespace

std::string to_circuit_json(const ProofInput& in) {
  std::string out = "{\n";
  out += " \"dataSetRoot\": ";
  put_string(out, in.dataset_root);
  out += ",\n \"entropy\": ";
  put_string(out, in.entropy);
  out += ",\n \"nCellsPerSlot\": " + std::to_string(in.n_cells_per_slot);
  out += ",\n \"nSlotsPerDataSet\": " + std::to_string(in.n_slots_per_dataset);
  out += ",\n \"slotIndex\": " + std::to_string(in.slot_index);
  out += ",\n \"slotRoot\": ";
  put_string(out, in.slot_root);
  out += ",\n \"slotProof\": ";
  put_array(out, in.slot_proof, 1);
  out += ",\n \"cellData\": ";
  put_matrix(out, in.cell_data);
  out += ",\n \"merklePaths\": ";
  put_matrix(out, in.merkle_paths);
  out += "\n}\n";
  return out;
}

std::vector<Fr> public_inputs(const ProofInput& in) {
  return {in.entropy, in.dataset_root, Fr::from_u64(in.slot_index)};
}

}  // namespace codex::prover::slots

namespace codex::prover::slots {

ProofInput parse_circuit_json(std::string_view text, const CircuitShape& shape) {
  const Json doc = Json::parse(text);
  if (!doc.is_object()) {
    bad("document", std::string("expected an object, got ") + Json::kind_name(doc.kind()));
  }
  static constexpr std::array<const char*, 9> kKeys = {
      "dataSetRoot", "entropy",   "nCellsPerSlot", "nSlotsPerDataSet", "slotIndex",
      "slotRoot",    "slotProof", "cellData",      "merklePaths"};
  for (const auto& member : doc.members()) {
    // Not a structured binding: clang before 16 cannot capture one in a lambda.
    const std::string& key = member.first;
    if (std::find_if(kKeys.begin(), kKeys.end(), [&](const char* k) { return key == k; }) ==
        kKeys.end()) {
      bad("key \"" + key + "\"", "unknown key");
    }
  }
  auto get = [&](const char* key) -> const Json& {
    const Json* v = doc.find(key);
    if (v == nullptr) bad(std::string("key \"") + key + "\"", "missing");
    return *v;
  };
  ProofInput in;
  in.dataset_root = field_of(get("dataSetRoot"), "dataSetRoot");
  in.entropy = field_of(get("entropy"), "entropy");
  in.n_cells_per_slot = u64_of(get("nCellsPerSlot"), "nCellsPerSlot");
  in.n_slots_per_dataset = u64_of(get("nSlotsPerDataSet"), "nSlotsPerDataSet");
  in.slot_index = u64_of(get("slotIndex"), "slotIndex");
  in.slot_root = field_of(get("slotRoot"), "slotRoot");
  in.slot_proof = field_array(get("slotProof"), "slotProof", shape.max_log2_slots);
  if (in.slot_proof.empty()) bad("slotProof", "is empty");
  in.cell_data =
      field_matrix(get("cellData"), "cellData", shape.n_samples, shape.n_field_elems_per_cell);
  in.merkle_paths =
      field_matrix(get("merklePaths"), "merklePaths",
                   shape.n_samples != 0 ? shape.n_samples : in.cell_data.size(), shape.max_depth);
  return in;
}

}  // namespace codex::prover::slots
