// rlp::decode (raw transactions, journal entries): an item or DecodeError.
// Decoding is canonical, so the item re-encodes to exactly the input; a
// string item that is a canonical integer round-trips through as_uint.
#include "agent/eth/rlp.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

using namespace codex::eth;

Bytes reencode(const rlp::Item& item, int depth) {
  FUZZ_CHECK(depth <= rlp::kMaxDepth);
  if (!item.is_list) {
    try {
      const Uint256 v = item.as_uint();
      FUZZ_CHECK(rlp::encode_uint(v) == rlp::encode_bytes(item.bytes));
    } catch (const rlp::DecodeError&) {
    }
    return rlp::encode_bytes(item.bytes);
  }
  std::vector<Bytes> parts;
  for (const auto& child : item.items)
    parts.push_back(reencode(child, depth + 1));
  return rlp::encode_list(parts);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    const rlp::Item item = rlp::decode(codex::fuzz::bytes(data, size));
    FUZZ_CHECK(reencode(item, 0) == Bytes(data, data + size));
  } catch (const rlp::DecodeError&) {
  }
  return 0;
}
