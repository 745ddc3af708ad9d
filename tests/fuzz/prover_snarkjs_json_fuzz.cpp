// snarkjs' Groth16 JSON files (proof.json, public.json, verification_key.json
// from other provers and users): each parser gives a value or InvalidInput,
// and what it accepts survives its writer and the parser again. The first
// byte picks the parser, the rest is the file.
#include "prover/error.h"
#include "prover/groth16/snarkjs_json.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace codex::prover::groth16;
  if (size == 0) return 0;
  const std::string_view text = codex::fuzz::text(data + 1, size - 1);
  try {
    switch (data[0] % 3) {
      case 0: {
        const Proof p = parse_proof_json(text);
        FUZZ_CHECK(parse_proof_json(proof_to_json(p)) == p);
        break;
      }
      case 1: {
        const auto pub = parse_public_json(text);
        FUZZ_CHECK(parse_public_json(public_to_json(pub)) == pub);
        break;
      }
      default: {
        const VerificationKey vk = parse_verification_key_json(text);
        const VerificationKey again = parse_verification_key_json(verification_key_to_json(vk));
        FUZZ_CHECK(again.alpha1 == vk.alpha1 && again.beta2 == vk.beta2 &&
                   again.gamma2 == vk.gamma2 && again.delta2 == vk.delta2 && again.ic == vk.ic);
        break;
      }
    }
  } catch (const codex::prover::InvalidInput&) {
  }
  return 0;
}
