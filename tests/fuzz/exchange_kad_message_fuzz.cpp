// Kademlia DHT messages from peers (/ipfs/kad/1.0.0): decode_message on the
// bytes. A Message or ProtocolError, within the bounds; a decoded message
// survives encode/decode unchanged.
#include "exchange/net/error.h"
#include "exchange/net/kad/message.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

bool same_peers(const std::vector<codex::net::kad::PeerInfo>& a,
                const std::vector<codex::net::kad::PeerInfo>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i].id != b[i].id || a[i].addrs != b[i].addrs || a[i].connection != b[i].connection)
      return false;
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace codex::net;
  using namespace codex::net::kad;
  try {
    const Message m = decode_message(codex::fuzz::bytes(data, size));
    FUZZ_CHECK(m.key.size() <= kMaxKeySize);
    FUZZ_CHECK(m.closer.size() <= kMaxPeersPerList);
    FUZZ_CHECK(m.providers.size() <= kMaxPeersPerList);
    for (const auto& p : m.closer)
      FUZZ_CHECK(p.addrs.size() <= kMaxAddrsPerPeer);
    const Message back = decode_message(encode_message(m));
    FUZZ_CHECK(back.type == m.type);
    FUZZ_CHECK(back.key == m.key);
    FUZZ_CHECK(back.record == m.record);
    FUZZ_CHECK(back.cluster_level == m.cluster_level);
    FUZZ_CHECK(same_peers(back.closer, m.closer));
    FUZZ_CHECK(same_peers(back.providers, m.providers));
  } catch (const ProtocolError&) {
  }
  return 0;
}
