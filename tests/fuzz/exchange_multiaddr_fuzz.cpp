// Multiaddrs from outside (peer records, identify, --listen-addrs, REST
// `?addrs=`): Multiaddr::from_bytes on the bytes and Multiaddr::parse on the
// same bytes as text. A multiaddr or FormatError; a multiaddr's binary form is
// the input, its text parses back to it, and the accessors never throw.
#include <optional>

#include "exchange/error.h"
#include "exchange/net/multiaddr.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

template <typename F>
std::optional<codex::net::Multiaddr> or_format_error(F&& parse) {
  try {
    return parse();
  } catch (const codex::FormatError&) {
    return std::nullopt;
  }
}

void check(const codex::net::Multiaddr& m) {
  using codex::net::Multiaddr;
  FUZZ_CHECK(!m.empty());
  FUZZ_CHECK(m.bytes().size() <= Multiaddr::kMaxSize);
  FUZZ_CHECK(m.components().size() <= Multiaddr::kMaxComponents);
  // Outside a try: what we accept has forms we accept.
  FUZZ_CHECK(Multiaddr::parse(m.to_string()) == m);
  FUZZ_CHECK(Multiaddr::from_bytes(m.bytes()) == m);
  if (const auto ep = m.tcp_endpoint()) FUZZ_CHECK(Multiaddr::from_tcp(*ep) == m.without_peer_id());
  if (const auto id = m.peer_id()) FUZZ_CHECK(m.without_peer_id().with_peer_id(*id) == m);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace codex;
  using net::Multiaddr;
  if (auto m = or_format_error([&] { return Multiaddr::from_bytes(fuzz::bytes(data, size)); })) {
    FUZZ_CHECK(std::equal(m->bytes().begin(), m->bytes().end(), data, data + size));
    check(*m);
  }
  if (auto m = or_format_error([&] { return Multiaddr::parse(fuzz::text(data, size)); })) check(*m);
  return 0;
}
