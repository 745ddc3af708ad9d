#include "exchange/multiformats/varint.h"

#include "exchange/error.h"

namespace codex::varint {

void append(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

std::string encode(uint64_t v) {
  std::string out;
  append(out, v);
  return out;
}

uint64_t read(std::span<const uint8_t>& in) {
  uint64_t v = 0;
  for (size_t i = 0; i < kMaxBytes; ++i) {
    if (i >= in.size()) throw FormatError("varint: truncated");
    uint8_t b = in[i];
    v |= static_cast<uint64_t>(b & 0x7f) << (7 * i);
    if ((b & 0x80) == 0) {
      if (b == 0 && i > 0) throw FormatError("varint: not minimally encoded");
      in = in.subspan(i + 1);
      return v;
    }
  }
  throw FormatError("varint: longer than 9 bytes");
}

}  // namespace codex::varint
