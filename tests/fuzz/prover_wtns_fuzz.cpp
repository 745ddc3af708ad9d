// .wtns files (read_wtns): a witness (wire 0 = 1) or InvalidInput; an
// accepted witness is written back and read to the same values.
#include "prover/error.h"
#include "prover/formats/wtns_file.h"
#include "tests/fuzz/fuzz_check.h"
#include "tests/fuzz/temp_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace codex::prover;
  static codex::fuzz::TempFile in(".wtns"), out(".out.wtns");
  std::vector<Fr> w;
  try {
    w = formats::read_wtns(in.write(data, size));
  } catch (const InvalidInput&) {
    return 0;
  }
  FUZZ_CHECK(!w.empty() && w[0] == Fr::one());
  formats::write_wtns(out.path(), w);
  FUZZ_CHECK(formats::read_wtns(out.path()) == w);
  return 0;
}
