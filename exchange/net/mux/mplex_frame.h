#pragma once
// mplex frames (/mplex/6.7.0, libp2p/specs mplex/README.md):
//   uvarint(stream id << 3 | flag) ‖ uvarint(length) ‖ length bytes
// Stream ids are per side: a stream is named by its id and by who opened it,
// which the flag tells (Initiator flags come from the side that opened it).
// Pure functions, so fuzz harnesses and tests call them directly.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace codex::net::mux {

enum class MplexFlag : uint8_t {
  kNewStream = 0,
  kMessageReceiver = 1,
  kMessageInitiator = 2,
  kCloseReceiver = 3,
  kCloseInitiator = 4,
  kResetReceiver = 5,
  kResetInitiator = 6,
};

// The largest stream id: id << 3 | flag must fit a 63-bit (9-byte) varint.
inline constexpr uint64_t kMplexMaxStreamId = (uint64_t(1) << 60) - 1;
// A header is two varints of at most 9 bytes.
inline constexpr size_t kMplexMaxHeaderSize = 18;

struct MplexHeader {
  uint64_t stream_id = 0;
  MplexFlag flag = MplexFlag::kNewStream;
  uint64_t length = 0;  // bytes of the body that follows
  bool operator==(const MplexHeader&) const = default;
};

// Whether a frame with this flag comes from the side that opened the stream
// (NewStream and the *Initiator flags).
bool mplex_from_initiator(MplexFlag flag);

// Appends the header's bytes to `out`. REQUIRES: stream_id <= kMplexMaxStreamId.
void append_mplex_header(std::vector<uint8_t>& out, const MplexHeader& h);

// A whole frame: header ‖ body.
std::vector<uint8_t> encode_mplex_frame(uint64_t stream_id, MplexFlag flag,
                                        std::span<const uint8_t> body);

struct MplexDecoded {
  MplexHeader header;
  size_t header_size = 0;  // bytes of `in` the header took
};

// Decodes the header at the front of `in`; nullopt when `in` holds only the
// beginning of one. Throws ProtocolError for a malformed varint (not minimal,
// longer than 9 bytes), an unknown flag, or a length above `max_frame_size`.
std::optional<MplexDecoded> decode_mplex_header(std::span<const uint8_t> in, size_t max_frame_size);

}  // namespace codex::net::mux
