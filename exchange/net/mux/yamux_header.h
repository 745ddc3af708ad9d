#pragma once
// yamux frame headers (/yamux/1.0.0, hashicorp/yamux spec.md): 12 bytes, big
// endian — version (0), type, flags, stream id, length. For Data frames the
// length is the size of the body that follows; for WindowUpdate the window
// delta, for Ping an opaque value echoed back, for GoAway an error code.
// Pure functions, so fuzz harnesses and tests call them directly.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace codex::net::mux {

enum class YamuxType : uint8_t { kData = 0, kWindowUpdate = 1, kPing = 2, kGoAway = 3 };

inline constexpr uint16_t kYamuxSyn = 1;  // opens a stream; a ping request
inline constexpr uint16_t kYamuxAck = 2;  // accepts a stream; a ping reply
inline constexpr uint16_t kYamuxFin = 4;  // half-close
inline constexpr uint16_t kYamuxRst = 8;  // reset

enum class YamuxGoAway : uint32_t { kNormal = 0, kProtocolError = 1, kInternalError = 2 };

inline constexpr size_t kYamuxHeaderSize = 12;
// Every stream starts with this receive window on both sides.
inline constexpr uint32_t kYamuxInitialWindow = 256 * 1024;

struct YamuxHeader {
  YamuxType type = YamuxType::kData;
  uint16_t flags = 0;
  uint32_t stream_id = 0;
  uint32_t length = 0;
  bool operator==(const YamuxHeader&) const = default;
};

std::array<uint8_t, kYamuxHeaderSize> encode_yamux_header(const YamuxHeader& h);

// Throws ProtocolError for a version other than 0 or an unknown type. Flags
// beyond the four known are ignored, as hashicorp's and libp2p's yamux do.
YamuxHeader decode_yamux_header(std::span<const uint8_t, kYamuxHeaderSize> in);

}  // namespace codex::net::mux
