// .r1cs files (read_r1cs, read_r1cs_header): a constraint system or
// InvalidInput; an accepted one is written back and read to the same system.
#include "prover/error.h"
#include "prover/formats/r1cs_file.h"
#include "tests/fuzz/fuzz_check.h"
#include "tests/fuzz/temp_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace codex::prover::formats;
  static codex::fuzz::TempFile in(".r1cs"), out(".out.r1cs");
  const std::string& path = in.write(data, size);
  R1cs r;
  try {
    r = read_r1cs(path);
  } catch (const codex::prover::InvalidInput&) {
    return 0;
  }
  const R1csHeader h = read_r1cs_header(path);
  FUZZ_CHECK(h.n_wires == r.header.n_wires && h.n_constraints == r.header.n_constraints &&
             h.n_outputs == r.header.n_outputs && h.n_labels == r.header.n_labels);
  FUZZ_CHECK(r.constraints.size() == r.header.n_constraints);
  write_r1cs(out.path(), r.header, r.constraints);
  const R1cs again = read_r1cs(out.path());
  FUZZ_CHECK(again.header.n_wires == r.header.n_wires &&
             again.header.num_public() == r.header.num_public() &&
             again.header.n_private_inputs == r.header.n_private_inputs &&
             again.constraints.size() == r.constraints.size());
  for (size_t i = 0; i < r.constraints.size(); ++i)
    FUZZ_CHECK(again.constraints[i].a == r.constraints[i].a &&
               again.constraints[i].b == r.constraints[i].b &&
               again.constraints[i].c == r.constraints[i].c);
  return 0;
}
