#include "exchange/net/multiaddr.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <string>

#include "exchange/error.h"
#include "exchange/multiformats/varint.h"

namespace codex::net {
namespace {

// Value kinds: none, fixed size in bytes, or varint length-prefixed.
constexpr int kVariable = -1;

struct Protocol {
  uint64_t code;
  std::string_view name;
  int size;  // bytes; 0 = no value, kVariable = length-prefixed
};

constexpr std::array kProtocols = {
    Protocol{Multiaddr::kIp4, "ip4", 4},
    Protocol{Multiaddr::kTcp, "tcp", 2},
    Protocol{Multiaddr::kDns, "dns", kVariable},
    Protocol{Multiaddr::kDns4, "dns4", kVariable},
    Protocol{Multiaddr::kDns6, "dns6", kVariable},
    Protocol{Multiaddr::kDnsaddr, "dnsaddr", kVariable},
    Protocol{Multiaddr::kIp6, "ip6", 16},
    Protocol{Multiaddr::kUdp, "udp", 2},
    Protocol{Multiaddr::kP2pCircuit, "p2p-circuit", 0},
    Protocol{Multiaddr::kP2p, "p2p", kVariable},
    Protocol{Multiaddr::kQuic, "quic", 0},
    Protocol{Multiaddr::kQuicV1, "quic-v1", 0},
    Protocol{Multiaddr::kWs, "ws", 0},
    Protocol{Multiaddr::kWss, "wss", 0},
};

// DNS names are at most 253 characters; a little slack for a trailing dot.
constexpr size_t kMaxDnsName = 255;

[[noreturn]] void fail(const std::string& what) {
  throw FormatError("multiaddr: " + what);
}

const Protocol* by_code(uint64_t code) {
  for (const auto& p : kProtocols)
    if (p.code == code) return &p;
  return nullptr;
}

const Protocol* by_name(std::string_view name) {
  if (name == "ipfs") name = "p2p";  // the old name, still accepted by js and go
  for (const auto& p : kProtocols)
    if (p.name == name) return &p;
  return nullptr;
}

bool is_dns(uint64_t code) {
  return code == Multiaddr::kDns || code == Multiaddr::kDns4 || code == Multiaddr::kDns6 ||
         code == Multiaddr::kDnsaddr;
}

// Printable ASCII without '/', so that the text form parses back.
void check_dns_name(std::string_view name, std::string_view proto) {
  if (name.empty() || name.size() > kMaxDnsName)
    fail(std::string(proto) + " name is empty or longer than 255 characters");
  for (char c : name)
    if (c <= 0x20 || c >= 0x7f || c == '/')
      fail(std::string(proto) + " name has a character outside printable ASCII or '/'");
}

// Checks a binary value of a known protocol (its size is already right).
void check_value(const Protocol& p, std::span<const uint8_t> value) {
  if (is_dns(p.code)) {
    check_dns_name({reinterpret_cast<const char*>(value.data()), value.size()}, p.name);
  } else if (p.code == Multiaddr::kP2p) {
    try {
      (void)PeerId::from_bytes(value);
    } catch (const FormatError& e) {
      fail(std::string("p2p value: ") + e.what());
    }
  }
}

std::vector<uint8_t> port_from_text(std::string_view text, std::string_view proto) {
  unsigned port = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || port > 65535 ||
      (text.size() > 1 && text[0] == '0'))
    fail(std::string(proto) + " port '" + std::string(text) + "' is not a decimal 0..65535");
  return {uint8_t(port >> 8), uint8_t(port)};
}

std::vector<uint8_t> ip_from_text(std::string_view text, int family) {
  // inet_pton: strict dotted quads for ip4; no zone ("%eth0") for ip6.
  const std::string s(text);
  std::vector<uint8_t> out(family == AF_INET ? 4 : 16);
  if (s.size() > INET6_ADDRSTRLEN || ::inet_pton(family, s.c_str(), out.data()) != 1)
    fail(std::string(family == AF_INET ? "ip4" : "ip6") + " address '" + s + "' is malformed");
  return out;
}

std::vector<uint8_t> value_from_text(const Protocol& p, std::string_view text) {
  switch (p.code) {
    case Multiaddr::kIp4:
      return ip_from_text(text, AF_INET);
    case Multiaddr::kIp6:
      return ip_from_text(text, AF_INET6);
    case Multiaddr::kTcp:
    case Multiaddr::kUdp:
      return port_from_text(text, p.name);
    case Multiaddr::kP2p:
      try {
        return PeerId::parse(text).bytes();
      } catch (const FormatError& e) {
        fail(std::string("p2p value '") + std::string(text) + "': " + e.what());
      }
    default:  // the DNS names
      check_dns_name(text, p.name);
      return {text.begin(), text.end()};
  }
}

std::string value_to_text(const Multiaddr::Component& c) {
  switch (c.code) {
    case Multiaddr::kIp4:
    case Multiaddr::kIp6: {
      char buf[INET6_ADDRSTRLEN];
      ::inet_ntop(c.code == Multiaddr::kIp4 ? AF_INET : AF_INET6, c.value.data(), buf, sizeof buf);
      return buf;
    }
    case Multiaddr::kTcp:
    case Multiaddr::kUdp:
      return std::to_string(unsigned(c.value[0]) << 8 | c.value[1]);
    case Multiaddr::kP2p:
      return PeerId::from_bytes(c.value).to_string();
    default:
      return {c.value.begin(), c.value.end()};
  }
}

}  // namespace

Multiaddr::Multiaddr(std::vector<Component> components) : components_(std::move(components)) {
  std::string out;
  for (const auto& c : components_) {
    varint::append(out, c.code);
    if (by_code(c.code)->size == kVariable) varint::append(out, c.value.size());
    out.append(c.value.begin(), c.value.end());
  }
  bytes_.assign(out.begin(), out.end());
}

Multiaddr Multiaddr::parse(std::string_view text) {
  if (text.size() > kMaxSize) fail("text longer than " + std::to_string(kMaxSize) + " characters");
  if (text.empty() || text[0] != '/') fail("'" + std::string(text) + "' does not start with '/'");
  std::vector<Component> components;
  std::string_view rest = text.substr(1);
  // Splits off the next '/'-separated part; a trailing '/' ends the address.
  auto next = [&rest]() {
    const size_t slash = rest.find('/');
    const std::string_view part = rest.substr(0, slash);
    rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
    return part;
  };
  while (!rest.empty()) {
    const std::string_view name = next();
    const Protocol* p = by_name(name);
    if (!p) fail("unknown protocol '" + std::string(name) + "' in " + std::string(text));
    if (components.size() == kMaxComponents)
      fail("more than " + std::to_string(kMaxComponents) + " components");
    std::vector<uint8_t> value;
    if (p->size != 0) {
      if (rest.empty()) fail(std::string(p->name) + " without a value in " + std::string(text));
      value = value_from_text(*p, next());
    }
    components.push_back({p->code, std::move(value)});
  }
  if (components.empty()) fail("'" + std::string(text) + "' has no components");
  return Multiaddr(std::move(components));
}

Multiaddr Multiaddr::from_bytes(std::span<const uint8_t> bytes) {
  if (bytes.empty()) fail("empty binary form");
  if (bytes.size() > kMaxSize)
    fail("binary form longer than " + std::to_string(kMaxSize) + " bytes");
  std::vector<Component> components;
  std::span<const uint8_t> in = bytes;
  while (!in.empty()) {
    const uint64_t code = varint::read(in);
    const Protocol* p = by_code(code);
    if (!p) fail("unknown protocol code " + std::to_string(code));
    if (components.size() == kMaxComponents)
      fail("more than " + std::to_string(kMaxComponents) + " components");
    size_t size = p->size == kVariable ? 0 : size_t(p->size);
    if (p->size == kVariable) {
      const uint64_t n = varint::read(in);
      if (n > in.size())
        fail(std::string(p->name) + " value of " + std::to_string(n) + " bytes is truncated");
      size = size_t(n);
    }
    if (size > in.size()) fail(std::string(p->name) + " value is truncated");
    const auto value = in.first(size);
    check_value(*p, value);
    components.push_back({code, {value.begin(), value.end()}});
    in = in.subspan(size);
  }
  return Multiaddr(std::move(components));
}

Multiaddr Multiaddr::from_tcp(const asio::ip::tcp::endpoint& endpoint) {
  std::vector<Component> components;
  const auto ip = endpoint.address();
  if (ip.is_v4()) {
    const auto b = ip.to_v4().to_bytes();
    components.push_back({kIp4, {b.begin(), b.end()}});
  } else {
    const auto b = ip.to_v6().to_bytes();
    components.push_back({kIp6, {b.begin(), b.end()}});
  }
  const uint16_t port = endpoint.port();
  components.push_back({kTcp, {uint8_t(port >> 8), uint8_t(port)}});
  return Multiaddr(std::move(components));
}

std::string Multiaddr::to_string() const {
  std::string out;
  for (const auto& c : components_) {
    const Protocol* p = by_code(c.code);
    out += '/';
    out += p->name;
    if (p->size != 0) {
      out += '/';
      out += value_to_text(c);
    }
  }
  return out;
}

std::optional<asio::ip::tcp::endpoint> Multiaddr::tcp_endpoint() const {
  const size_t n = components_.size();
  if (n < 2 || n > 3 || components_[1].code != kTcp) return std::nullopt;
  if (n == 3 && components_[2].code != kP2p) return std::nullopt;
  const auto& ip = components_[0];
  const uint16_t port = uint16_t(components_[1].value[0] << 8 | components_[1].value[1]);
  if (ip.code == kIp4) {
    asio::ip::address_v4::bytes_type b;
    std::copy(ip.value.begin(), ip.value.end(), b.begin());
    return asio::ip::tcp::endpoint(asio::ip::address_v4(b), port);
  }
  if (ip.code == kIp6) {
    asio::ip::address_v6::bytes_type b;
    std::copy(ip.value.begin(), ip.value.end(), b.begin());
    return asio::ip::tcp::endpoint(asio::ip::address_v6(b), port);
  }
  return std::nullopt;
}

std::optional<PeerId> Multiaddr::peer_id() const {
  if (components_.empty() || components_.back().code != kP2p) return std::nullopt;
  return PeerId::from_bytes(components_.back().value);
}

Multiaddr Multiaddr::without_peer_id() const {
  if (components_.empty() || components_.back().code != kP2p) return *this;
  return Multiaddr(std::vector<Component>(components_.begin(), components_.end() - 1));
}

Multiaddr Multiaddr::with_peer_id(const PeerId& id) const {
  if (const auto own = peer_id()) {
    if (*own != id)
      fail(to_string() + " already names peer " + own->to_string() + ", not " + id.to_string());
    return *this;
  }
  if (components_.size() == kMaxComponents)
    fail("more than " + std::to_string(kMaxComponents) + " components");
  std::vector<Component> components = components_;
  components.push_back({kP2p, id.bytes()});
  Multiaddr out(std::move(components));
  if (out.bytes().size() > kMaxSize)
    fail("binary form longer than " + std::to_string(kMaxSize) + " bytes");
  return out;
}

}  // namespace codex::net
