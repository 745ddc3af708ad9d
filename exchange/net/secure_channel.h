#pragma once
// What a security handshake (noise) gives: an encrypted, authenticated Stream
// and the verified identity of the peer at the other end.
#include <memory>

#include "exchange/net/peer_id.h"
#include "exchange/net/stream.h"

namespace codex::net {

struct SecuredConnection {
  std::unique_ptr<Stream> stream;
  PeerId remote;
};

}  // namespace codex::net
