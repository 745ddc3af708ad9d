#pragma once
// multistream-select 1.0 (/multistream/1.0.0): how two libp2p peers agree on
// the protocol of a connection or stream. Each message is a varint
// length-prefixed UTF-8 line ending in '\n'; "na" refuses a proposal, "ls"
// asks for the list.
#include <asio/awaitable.hpp>
#include <span>
#include <string>

#include "exchange/net/stream.h"

namespace codex::net {

inline constexpr char kMultistreamId[] = "/multistream/1.0.0";
// Protocol ids are short; anything longer is a broken or hostile peer.
inline constexpr size_t kMaxProtocolIdSize = 1024;

// Dialer side: proposes `protocols` in order and returns the first the
// listener accepts. The header and the first proposal go out in one write.
// Throws NetError when none is accepted (the stream is then useless),
// ProtocolError on a malformed answer.
asio::awaitable<std::string> multistream_select(Stream& s, std::span<const std::string> protocols);

// Listener side: answers proposals until one of `supported` is proposed and
// returns it; answers "na" to others and the list to "ls". Throws
// ProtocolError on a malformed message or after too many refused proposals.
asio::awaitable<std::string> multistream_handle(Stream& s, std::span<const std::string> supported);

}  // namespace codex::net
