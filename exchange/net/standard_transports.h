#pragma once
// The security and muxer protocols our nodes speak, assembled into a
// HostConfig: noise with the node key, and the muxers named (yamux, mplex)
// in the order given.
#include <chrono>
#include <string>
#include <vector>

#include "exchange/net/host.h"
#include "exchange/net/node_key.h"

namespace codex::net {

// `key` must outlive the host. Throws std::invalid_argument for a muxer we
// do not have.
HostConfig standard_host_config(const NodeKey& key, const std::vector<std::string>& muxers,
                                std::chrono::milliseconds handshake_timeout);

}  // namespace codex::net
