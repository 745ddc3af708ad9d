// decode_yamux_header over a stream of frames (Data bodies skipped, as the
// muxer reads them): each header is a value or ProtocolError, and a value
// re-encodes to exactly its 12 bytes.
#include <algorithm>

#include "exchange/net/error.h"
#include "exchange/net/mux/yamux_header.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace codex::net;
  constexpr size_t kHeader = mux::kYamuxHeaderSize;
  std::span<const uint8_t> in = codex::fuzz::bytes(data, size);
  while (in.size() >= kHeader) {
    try {
      const auto h = mux::decode_yamux_header(in.first<kHeader>());
      FUZZ_CHECK(uint8_t(h.type) <= uint8_t(mux::YamuxType::kGoAway));
      const auto again = mux::encode_yamux_header(h);
      FUZZ_CHECK(std::equal(again.begin(), again.end(), in.begin()));
      size_t skip = kHeader;
      if (h.type == mux::YamuxType::kData) skip += h.length;
      if (skip >= in.size()) break;
      in = in.subspan(skip);
    } catch (const ProtocolError&) {
      FUZZ_CHECK(in[0] != 0 || in[1] > 3);  // only version and type are refused
      break;
    }
  }
  return 0;
}
