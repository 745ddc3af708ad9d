#include "exchange/net/mux/mplex_frame.h"

#include <string>

#include "exchange/multiformats/varint.h"
#include "exchange/net/error.h"

namespace codex::net::mux {
namespace {

// A varint at in[pos...]: its value, or nullopt when `in` ends inside it.
// Same rules as varint::read (minimal, at most 9 bytes), but telling a cut
// varint from a malformed one, which a frame decoder over a socket needs.
std::optional<uint64_t> read_varint(std::span<const uint8_t> in, size_t& pos) {
  uint64_t value = 0;
  for (unsigned i = 0; i < varint::kMaxBytes; ++i) {
    if (pos + i >= in.size()) return std::nullopt;
    const uint8_t byte = in[pos + i];
    value |= uint64_t(byte & 0x7f) << (7 * i);
    if (!(byte & 0x80)) {
      if (byte == 0 && i > 0) throw ProtocolError("mplex: varint is not minimally encoded");
      pos += i + 1;
      return value;
    }
  }
  throw ProtocolError("mplex: varint longer than 9 bytes");
}

}  // namespace

bool mplex_from_initiator(MplexFlag flag) {
  // Odd flags are the receiver's; NewStream (0) and the even ones the initiator's.
  return (uint8_t(flag) & 1) == 0;
}

void append_mplex_header(std::vector<uint8_t>& out, const MplexHeader& h) {
  std::string s;
  varint::append(s, h.stream_id << 3 | uint64_t(h.flag));
  varint::append(s, h.length);
  out.insert(out.end(), s.begin(), s.end());
}

std::vector<uint8_t> encode_mplex_frame(uint64_t stream_id, MplexFlag flag,
                                        std::span<const uint8_t> body) {
  std::vector<uint8_t> out;
  append_mplex_header(out, {stream_id, flag, body.size()});
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

std::optional<MplexDecoded> decode_mplex_header(std::span<const uint8_t> in,
                                                size_t max_frame_size) {
  size_t pos = 0;
  const auto key = read_varint(in, pos);
  if (!key) return std::nullopt;
  const auto length = read_varint(in, pos);
  if (!length) return std::nullopt;
  const uint64_t flag = *key & 7;
  if (flag > uint64_t(MplexFlag::kResetInitiator))
    throw ProtocolError("mplex: unknown frame flag " + std::to_string(flag));
  if (*length > max_frame_size)
    throw ProtocolError("mplex: frame of " + std::to_string(*length) +
                        " bytes exceeds the limit of " + std::to_string(max_frame_size));
  return MplexDecoded{{*key >> 3, MplexFlag(flag), *length}, pos};
}

}  // namespace codex::net::mux
