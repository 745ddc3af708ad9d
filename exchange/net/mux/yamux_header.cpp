#include "exchange/net/mux/yamux_header.h"

#include <string>

#include "exchange/net/error.h"

namespace codex::net::mux {

std::array<uint8_t, kYamuxHeaderSize> encode_yamux_header(const YamuxHeader& h) {
  std::array<uint8_t, kYamuxHeaderSize> out{};
  out[0] = 0;  // version
  out[1] = uint8_t(h.type);
  out[2] = uint8_t(h.flags >> 8);
  out[3] = uint8_t(h.flags);
  for (int i = 0; i < 4; ++i) {
    out[4 + i] = uint8_t(h.stream_id >> (24 - 8 * i));
    out[8 + i] = uint8_t(h.length >> (24 - 8 * i));
  }
  return out;
}

YamuxHeader decode_yamux_header(std::span<const uint8_t, kYamuxHeaderSize> in) {
  if (in[0] != 0) throw ProtocolError("yamux: unknown version " + std::to_string(in[0]));
  if (in[1] > uint8_t(YamuxType::kGoAway))
    throw ProtocolError("yamux: unknown frame type " + std::to_string(in[1]));
  YamuxHeader h;
  h.type = YamuxType(in[1]);
  h.flags = uint16_t(in[2] << 8 | in[3]);
  for (int i = 0; i < 4; ++i) {
    h.stream_id = h.stream_id << 8 | in[4 + i];
    h.length = h.length << 8 | in[8 + i];
  }
  return h;
}

}  // namespace codex::net::mux
