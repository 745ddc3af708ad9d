#pragma once
// Errors of the network layer. Like the rest of exchange/, failures are
// exceptions with context; a connection's owner catches them at the
// connection's edge and drops (and scores down) the peer.
#include <stdexcept>

#include "exchange/error.h"

namespace codex::net {

// The connection or stream is gone: closed, reset, refused, timed out.
class NetError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The peer broke the protocol: a malformed, oversized or unexpected frame or
// message, a failed handshake or signature. The peer is disconnected.
class ProtocolError : public FormatError {
 public:
  using FormatError::FormatError;
};

}  // namespace codex::net
