// The prover's strict JSON reader (formats::Json::parse, under every snarkjs
// file): a document or InvalidInput, within the documented limits.
#include <functional>

#include "prover/error.h"
#include "prover/formats/json.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using codex::prover::formats::Json;
  try {
    const Json doc = Json::parse(codex::fuzz::text(data, size));
    std::function<void(const Json&, size_t)> walk = [&](const Json& j, size_t depth) {
      FUZZ_CHECK(depth <= Json::kMaxDepth);
      for (const auto& item : j.items())
        walk(item, depth + 1);
      for (const auto& [key, member] : j.members()) {
        FUZZ_CHECK(j.find(key) != nullptr);
        walk(member, depth + 1);
      }
    };
    walk(doc, 1);
  } catch (const codex::prover::InvalidInput&) {
  }
  return 0;
}
