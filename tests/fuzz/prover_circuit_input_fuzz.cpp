// Circuit input JSON (parse_circuit_json, `codex-prover witness`): a
// ProofInput or InvalidInput; what it accepts is written by to_circuit_json
// and parses back to the same input.
#include "prover/error.h"
#include "prover/slots/circuit_input.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace codex::prover::slots;
  try {
    const ProofInput in = parse_circuit_json(codex::fuzz::text(data, size));
    const ProofInput again = parse_circuit_json(to_circuit_json(in));
    FUZZ_CHECK(again.entropy == in.entropy && again.dataset_root == in.dataset_root &&
               again.slot_index == in.slot_index && again.slot_root == in.slot_root &&
               again.n_cells_per_slot == in.n_cells_per_slot &&
               again.n_slots_per_dataset == in.n_slots_per_dataset &&
               again.slot_proof == in.slot_proof && again.cell_data == in.cell_data &&
               again.merkle_paths == in.merkle_paths);
    FUZZ_CHECK(public_inputs(in).size() == 3);
  } catch (const codex::prover::InvalidInput&) {
  }
  return 0;
}
