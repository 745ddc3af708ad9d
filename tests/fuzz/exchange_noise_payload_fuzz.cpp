// Noise handshake input from a peer: the libp2p handshake payload
// (HandshakePayload::parse, then verify_handshake_payload against a static
// key) and the same bytes as the peer's handshake message 0 (to a responder)
// and 1 (to an initiator). A value or ProtocolError (a FormatError); a parsed
// payload re-encodes to one that parses to the same fields.
#include <optional>

#include "exchange/error.h"
#include "exchange/net/noise/handshake_payload.h"
#include "exchange/net/noise/handshake_state.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

using namespace codex::net::noise;

std::optional<HandshakePayload> parse_or_format_error(std::span<const uint8_t> bytes) {
  try {
    return HandshakePayload::parse(bytes);
  } catch (const codex::FormatError&) {
    return std::nullopt;
  }
}

template <typename F>
void value_or_format_error(F&& f) {
  try {
    f();
  } catch (const codex::FormatError&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto input = codex::fuzz::bytes(data, size);
  if (auto p = parse_or_format_error(input)) {
    const auto again = HandshakePayload::parse(p->encode());
    FUZZ_CHECK(again.identity_key == p->identity_key);
    FUZZ_CHECK(again.identity_sig == p->identity_sig);
    DhPublicKey static_key{};
    static_key[0] = 9;
    value_or_format_error([&] { (void)verify_handshake_payload(*p, static_key); });
  }
  const std::vector<uint8_t> empty;
  value_or_format_error([&] {
    HandshakeState responder(Role::Responder, empty, DhKeyPair::generate());
    (void)responder.read_message(input);
    FUZZ_CHECK(responder.writing());
    (void)responder.write_message(empty);
  });
  value_or_format_error([&] {
    HandshakeState initiator(Role::Initiator, empty, DhKeyPair::generate());
    (void)initiator.write_message(empty);
    (void)initiator.read_message(input);
  });
  return 0;
}
