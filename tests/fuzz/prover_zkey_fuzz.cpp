// .zkey proving keys (ZkeyReader, read_all, the verification key, the point
// checks): a key or InvalidInput. An accepted key is written back
// (write_zkey) and reads back to the same key.
#include "prover/error.h"
#include "prover/groth16/zkey_file.h"
#include "tests/fuzz/fuzz_check.h"
#include "tests/fuzz/temp_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace codex::prover;
  using namespace codex::prover::groth16;
  static codex::fuzz::TempFile in(".zkey"), out(".out.zkey");
  ProvingKey pk;
  try {
    const ZkeyReader zkey(in.write(data, size));
    zkey.check_points(1);
    pk = zkey.read_all(1);
    const VerificationKey vk = zkey.verification_key();
    FUZZ_CHECK(vk.ic.size() == zkey.header().n_public + 1);
  } catch (const InvalidInput&) {
    return 0;
  }
  write_zkey(out.path(), pk);
  const ProvingKey again = ZkeyReader(out.path()).read_all(1);
  FUZZ_CHECK(again.header.n_vars == pk.header.n_vars &&
             again.header.n_public == pk.header.n_public &&
             again.header.domain_size == pk.header.domain_size);
  FUZZ_CHECK(again.ic == pk.ic && again.a == pk.a && again.b1 == pk.b1 && again.b2 == pk.b2 &&
             again.c == pk.c && again.h == pk.h && again.coefs.size() == pk.coefs.size());
  return 0;
}
