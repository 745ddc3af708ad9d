#include "exchange/net/standard_transports.h"

#include <stdexcept>

#include "exchange/net/mux/mplex.h"
#include "exchange/net/mux/yamux.h"
#include "exchange/net/noise/noise_upgrade.h"

namespace codex::net {

HostConfig standard_host_config(const NodeKey& key, const std::vector<std::string>& muxers,
                                std::chrono::milliseconds handshake_timeout) {
  HostConfig hc;
  hc.handshake_timeout = handshake_timeout;
  hc.security.push_back(
      {kNoiseProtocolId, [&key, handshake_timeout](std::unique_ptr<Stream> raw, bool initiator,
                                                   std::optional<PeerId> expected) {
         if (initiator) return noise_outbound(std::move(raw), key, expected, handshake_timeout);
         return noise_inbound(std::move(raw), key, handshake_timeout);
       }});
  for (const auto& id : muxers) {
    if (id == kYamuxProtocolId)
      hc.muxers.push_back({id, [](std::unique_ptr<Stream> s, bool initiator) {
                             return make_yamux(std::move(s), initiator);
                           }});
    else if (id == kMplexProtocolId)
      hc.muxers.push_back({id, [](std::unique_ptr<Stream> s, bool initiator) {
                             return make_mplex(std::move(s), initiator);
                           }});
    else
      throw std::invalid_argument("unknown muxer " + id);
  }
  return hc;
}

}  // namespace codex::net
