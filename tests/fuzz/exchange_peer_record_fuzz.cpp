// Signed peer records from peers (identify, the DHT) and from operators
// (--bootstrap-node "spr:…"): SignedPeerRecord::open on the bytes,
// SignedPeerRecord::from_uri on the same bytes as text, PeerRecord::decode on
// the bytes. A record or FormatError (ProtocolError is one); an opened record
// is its signer's, and survives encode/open and to_uri/from_uri.
#include "exchange/error.h"
#include "exchange/net/peer_record.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

void check(const codex::net::SignedPeerRecord& spr) {
  using codex::net::SignedPeerRecord;
  FUZZ_CHECK(spr.peer_id() == spr.envelope().signer());
  FUZZ_CHECK(spr.record().addresses.size() <= codex::net::PeerRecord::kMaxAddresses);
  FUZZ_CHECK(SignedPeerRecord::open(spr.encode()).envelope() == spr.envelope());
  FUZZ_CHECK(SignedPeerRecord::from_uri(spr.to_uri()).record() == spr.record());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace codex;
  using net::PeerRecord;
  using net::SignedPeerRecord;
  try {
    check(SignedPeerRecord::open(fuzz::bytes(data, size)));
  } catch (const FormatError&) {
  }
  try {
    check(SignedPeerRecord::from_uri(fuzz::text(data, size)));
  } catch (const FormatError&) {
  }
  try {
    const PeerRecord r = PeerRecord::decode(fuzz::bytes(data, size));
    FUZZ_CHECK(PeerRecord::decode(r.encode()) == r);
  } catch (const FormatError&) {
  }
  return 0;
}
