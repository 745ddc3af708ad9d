// Identify messages from peers: decode_identify on the bytes. An IdentifyInfo
// or ProtocolError, within the bounds; a decoded message survives
// encode/decode unchanged.
#include "exchange/net/error.h"
#include "exchange/net/identify.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace codex::net;
  try {
    const IdentifyInfo info = decode_identify(codex::fuzz::bytes(data, size));
    FUZZ_CHECK(info.listen_addrs.size() <= kMaxIdentifyAddrs);
    FUZZ_CHECK(info.protocols.size() <= kMaxIdentifyProtocols);
    const IdentifyInfo back = decode_identify(encode_identify(info));
    FUZZ_CHECK(back.protocol_version == info.protocol_version);
    FUZZ_CHECK(back.agent_version == info.agent_version);
    FUZZ_CHECK(back.public_key == info.public_key);
    FUZZ_CHECK(back.listen_addrs == info.listen_addrs);
    FUZZ_CHECK(back.observed_addr == info.observed_addr);
    FUZZ_CHECK(back.protocols == info.protocols);
    FUZZ_CHECK(back.signed_peer_record.has_value() == info.signed_peer_record.has_value());
    if (info.signed_peer_record)
      FUZZ_CHECK(back.signed_peer_record->envelope() == info.signed_peer_record->envelope());
  } catch (const ProtocolError&) {
  }
  return 0;
}
