// decode_mplex_header over a stream of frames (bodies skipped, as the muxer
// reads them): each header is a value or ProtocolError; a value re-encodes to
// exactly the bytes it took, respects the size limit, and no shorter prefix
// decodes (a cut header waits for more bytes).
#include "exchange/net/error.h"
#include "exchange/net/mux/mplex_frame.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace codex::net;
  constexpr size_t kMax = 1 << 20;
  std::span<const uint8_t> in = codex::fuzz::bytes(data, size);
  try {
    while (!in.empty()) {
      const auto d = mux::decode_mplex_header(in, kMax);
      if (!d) break;
      FUZZ_CHECK(d->header_size >= 2 && d->header_size <= mux::kMplexMaxHeaderSize);
      FUZZ_CHECK(d->header.length <= kMax);
      std::vector<uint8_t> again;
      mux::append_mplex_header(again, d->header);
      FUZZ_CHECK(std::equal(again.begin(), again.end(), in.begin(), in.begin() + d->header_size) &&
                 again.size() == d->header_size);
      for (size_t k = 0; k < d->header_size; ++k)
        FUZZ_CHECK(!mux::decode_mplex_header(in.first(k), kMax));
      const size_t skip = d->header_size + size_t(d->header.length);
      if (skip >= in.size()) break;
      in = in.subspan(skip);
    }
  } catch (const ProtocolError&) {
  }
  return 0;
}
