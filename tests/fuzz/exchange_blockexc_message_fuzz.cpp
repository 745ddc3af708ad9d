// Block-exchange messages from peers: decode on the bytes. A Message within
// the limits or ProtocolError; a decoded message survives encode/decode
// unchanged.
#include "exchange/net/blockexc/message.h"
#include "exchange/net/error.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace codex::net::blockexc;
  try {
    const Message m = decode(codex::fuzz::bytes(data, size));
    FUZZ_CHECK(m.deliveries.size() <= kMaxDeliveries);
    FUZZ_CHECK(m.presences.size() <= kMaxPresences);
    FUZZ_CHECK(m.want_list.entries.size() <= kMaxWantEntries);
    for (const auto& d : m.deliveries)
      FUZZ_CHECK(d.data.size() <= kMaxBlockSize && (!d.proof || d.address.leaf));
    const std::string again = encode(m);
    const Message back = decode({reinterpret_cast<const uint8_t*>(again.data()), again.size()});
    FUZZ_CHECK(back == m);
  } catch (const codex::net::ProtocolError&) {
  }
  return 0;
}
