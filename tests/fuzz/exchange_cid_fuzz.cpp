// CIDs from outside (REST paths, manifests, peers): Cid::from_bytes on the
// bytes and Cid::parse on the same bytes as text. A CID or FormatError; a CID's
// binary form is the input, and its string form parses back to it.
#include <optional>

#include "exchange/error.h"
#include "exchange/multiformats/cid.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

template <typename F>
std::optional<codex::Cid> cid_or_format_error(F&& parse) {
  try {
    return parse();
  } catch (const codex::FormatError&) {
    return std::nullopt;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace codex;
  const std::string_view text = fuzz::text(data, size);
  if (auto cid = cid_or_format_error([&] { return Cid::from_bytes(fuzz::bytes(data, size)); })) {
    FUZZ_CHECK(cid->valid());
    FUZZ_CHECK(cid->bytes() == text);
    // Outside a try: a CID we accept must have a string form we accept.
    FUZZ_CHECK(Cid::parse(cid->to_string()) == *cid);
  }
  if (auto cid = cid_or_format_error([&] { return Cid::parse(text); })) {
    FUZZ_CHECK(cid->valid());
    FUZZ_CHECK(cid->to_string() == text);
    FUZZ_CHECK(Cid::from_bytes(cid->bytes()) == *cid);
  }
  return 0;
}
