#include "prover/slots/circuit_input.h"

namespace codex::prover::slots {
namespace {

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
