#include "exchange/net/blockexc/message.h"

#include <string_view>

#include "exchange/error.h"
#include "exchange/net/error.h"

namespace codex::net::blockexc {
namespace {

// ---- writing (minprotobuf's layout: every field written) -----------------
//
// Each message's size is computed first, so the whole encoding is written
// once into one buffer of its final size: a delivery message holds up to 20
// blocks, and building nested strings copied every block three times.

size_t varint_size(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

size_t uint_size(uint32_t field, uint64_t v) {
  return varint_size(uint64_t(field) << 3) + varint_size(v);
}

size_t bytes_size(uint32_t field, size_t len) {
  return varint_size((uint64_t(field) << 3) | 2) + varint_size(len) + len;
}

void put_varint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(char(uint8_t(v) | 0x80));
    v >>= 7;
  }
  out.push_back(char(v));
}

void put_uint(std::string& out, uint32_t field, uint64_t v) {
  put_varint(out, uint64_t(field) << 3);
  put_varint(out, v);
}

// The tag and length of a bytes field; its `len` bytes follow.
void put_bytes_head(std::string& out, uint32_t field, size_t len) {
  put_varint(out, (uint64_t(field) << 3) | 2);
  put_varint(out, len);
}

void put_bytes(std::string& out, uint32_t field, std::string_view bytes) {
  put_bytes_head(out, field, bytes.size());
  out.append(bytes);
}

size_t address_size(const BlockAddress& a) {
  size_t n = uint_size(1, a.leaf ? 1 : 0);
  if (a.leaf)
    n += bytes_size(2, a.tree_cid.bytes().size()) + uint_size(3, a.index);
  else
    n += bytes_size(4, a.cid.bytes().size());
  return n;
}

void put_address(std::string& out, uint32_t field, const BlockAddress& a) {
  put_bytes_head(out, field, address_size(a));
  put_uint(out, 1, a.leaf ? 1 : 0);
  if (a.leaf) {
    put_bytes(out, 2, a.tree_cid.bytes());
    put_uint(out, 3, a.index);
  } else {
    put_bytes(out, 4, a.cid.bytes());
  }
}

// int32 → uint64 sign-extends, as protobuf and Nim's conversion do.
uint64_t priority_value(int32_t p) {
  return uint64_t(int64_t(p));
}

size_t entry_size(const WantEntry& e) {
  return bytes_size(1, address_size(e.address)) + uint_size(2, priority_value(e.priority)) +
         uint_size(3, e.cancel ? 1 : 0) + uint_size(4, uint64_t(e.type)) +
         uint_size(5, e.send_dont_have ? 1 : 0);
}

void put_entry(std::string& out, uint32_t field, const WantEntry& e) {
  put_bytes_head(out, field, entry_size(e));
  put_address(out, 1, e.address);
  put_uint(out, 2, priority_value(e.priority));
  put_uint(out, 3, e.cancel ? 1 : 0);
  put_uint(out, 4, uint64_t(e.type));
  put_uint(out, 5, e.send_dont_have ? 1 : 0);
}

size_t want_list_size(const WantList& w) {
  size_t n = uint_size(2, w.full ? 1 : 0);
  for (const auto& e : w.entries)
    n += bytes_size(1, entry_size(e));
  return n;
}

void put_want_list(std::string& out, uint32_t field, const WantList& w) {
  put_bytes_head(out, field, want_list_size(w));
  for (const auto& e : w.entries)
    put_entry(out, 1, e);
  put_uint(out, 2, w.full ? 1 : 0);
}

bool has_proof(const BlockDelivery& d) {
  return d.address.leaf && d.proof.has_value();
}

size_t delivery_size(const BlockDelivery& d) {
  size_t n = bytes_size(1, d.cid.bytes().size()) + bytes_size(2, d.data.size()) +
             bytes_size(3, address_size(d.address));
  if (has_proof(d)) n += bytes_size(4, d.proof->size());
  return n;
}

void put_delivery(std::string& out, uint32_t field, const BlockDelivery& d) {
  put_bytes_head(out, field, delivery_size(d));
  put_bytes(out, 1, d.cid.bytes());
  put_bytes(out, 2, d.data);
  put_address(out, 3, d.address);
  if (has_proof(d)) put_bytes(out, 4, *d.proof);
}

size_t presence_size(const BlockPresence& p) {
  return bytes_size(1, address_size(p.address)) + uint_size(2, uint64_t(p.type)) +
         bytes_size(3, p.price.size());
}

void put_presence(std::string& out, uint32_t field, const BlockPresence& p) {
  put_bytes_head(out, field, presence_size(p));
  put_address(out, 1, p.address);
  put_uint(out, 2, uint64_t(p.type));
  put_bytes(out, 3, p.price);
}

// AccountMessage / StateChannelUpdate: field 1, bytes.
size_t single_bytes_size(std::string_view bytes) {
  return bytes_size(1, bytes.size());
}

void put_single_bytes(std::string& out, uint32_t field, std::string_view bytes) {
  put_bytes_head(out, field, single_bytes_size(bytes));
  put_bytes(out, 1, bytes);
}

size_t message_size(const Message& m) {
  size_t n = bytes_size(1, want_list_size(m.want_list));
  for (const auto& d : m.deliveries)
    n += bytes_size(3, delivery_size(d));
  for (const auto& p : m.presences)
    n += bytes_size(4, presence_size(p));
  return n + uint_size(5, m.pending_bytes) + bytes_size(6, single_bytes_size(m.account)) +
         bytes_size(7, single_bytes_size(m.state_channel_update));
}

void put_message(std::string& out, const Message& m) {
  put_want_list(out, 1, m.want_list);
  for (const auto& d : m.deliveries)
    put_delivery(out, 3, d);
  for (const auto& p : m.presences)
    put_presence(out, 4, p);
  put_uint(out, 5, m.pending_bytes);
  put_single_bytes(out, 6, m.account);
  put_single_bytes(out, 7, m.state_channel_update);
}

// ---- reading ---------------------------------------------------------------

[[noreturn]] void fail(const std::string& what) {
  throw ProtocolError("blockexc message: " + what);
}

// One field of a protobuf message: its number, and its varint value or bytes.
struct Field {
  uint32_t number = 0;
  int wire = 0;
  uint64_t value = 0;
  std::span<const uint8_t> bytes;
};

class Reader {
 public:
  explicit Reader(std::span<const uint8_t> in) : in_(in) {}
  bool done() const { return in_.empty(); }

  // The next field of a known wire type; fixed32/64 fields are skipped over
  // (returned with wire 1 or 5), groups are refused like minprotobuf does.
  Field next() {
    Field f;
    const uint64_t tag = varint();
    f.wire = int(tag & 7);
    if ((tag >> 3) == 0 || (tag >> 3) > 0x1fffffff) fail("bad field number");
    f.number = uint32_t(tag >> 3);
    switch (f.wire) {
      case 0:
        f.value = varint();
        break;
      case 1:
        skip(8);
        break;
      case 5:
        skip(4);
        break;
      case 2: {
        const uint64_t n = varint();
        if (n > in_.size()) fail("field " + std::to_string(f.number) + " is truncated");
        f.bytes = in_.first(size_t(n));
        in_ = in_.subspan(size_t(n));
        break;
      }
      default:
        fail("wire type " + std::to_string(f.wire) + " is not supported");
    }
    return f;
  }

 private:
  uint64_t varint() {
    uint64_t v = 0;
    for (int i = 0; i < 10; ++i) {
      if (in_.empty()) fail("truncated varint");
      const uint8_t b = in_[0];
      in_ = in_.subspan(1);
      if (i == 9 && b > 1) fail("varint overflows 64 bits");
      v |= uint64_t(b & 0x7f) << (7 * i);
      if (!(b & 0x80)) return v;
    }
    fail("varint longer than 10 bytes");
  }
  void skip(size_t n) {
    if (in_.size() < n) fail("truncated fixed-size field");
    in_ = in_.subspan(n);
  }
  std::span<const uint8_t> in_;
};

// A field of the expected wire type, or false to skip it (protoc ignores a
// known field of another wire type; so does minprotobuf).
bool is_varint(const Field& f) {
  return f.wire == 0;
}
bool is_bytes(const Field& f) {
  return f.wire == 2;
}

std::string text(std::span<const uint8_t> b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

Cid parse_cid(std::span<const uint8_t> b, const char* what) {
  try {
    return Cid::from_bytes(b);
  } catch (const FormatError& e) {
    fail(std::string(what) + ": " + e.what());
  }
}

bool as_bool(uint64_t v, const char* what) {
  if (v > 1) fail(std::string(what) + " is " + std::to_string(v) + ", not a bool");
  return v == 1;
}

BlockAddress decode_address(std::span<const uint8_t> in) {
  BlockAddress a;
  std::optional<std::span<const uint8_t>> tree, cid;
  Reader r(in);
  while (!r.done()) {
    const Field f = r.next();
    if (f.number == 1 && is_varint(f)) a.leaf = as_bool(f.value, "address.leaf");
    if (f.number == 2 && is_bytes(f)) tree = f.bytes;
    if (f.number == 3 && is_varint(f)) a.index = f.value;
    if (f.number == 4 && is_bytes(f)) cid = f.bytes;
  }
  if (a.leaf) {
    if (!tree) fail("leaf address without a tree CID");
    a.tree_cid = parse_cid(*tree, "address.treeCid");
  } else {
    if (!cid) fail("address without a CID");
    a.cid = parse_cid(*cid, "address.cid");
    a.index = 0;  // meaningless for a non-leaf address
  }
  return a;
}

WantEntry decode_entry(std::span<const uint8_t> in) {
  WantEntry e;
  bool has_address = false;
  Reader r(in);
  while (!r.done()) {
    const Field f = r.next();
    if (f.number == 1 && is_bytes(f)) {
      e.address = decode_address(f.bytes);
      has_address = true;
    }
    if (f.number == 2 && is_varint(f)) e.priority = int32_t(uint32_t(f.value));
    if (f.number == 3 && is_varint(f)) e.cancel = as_bool(f.value, "entry.cancel");
    if (f.number == 4 && is_varint(f)) {
      if (f.value > 1) fail("entry.wantType " + std::to_string(f.value) + " is unknown");
      e.type = WantType(f.value);
    }
    if (f.number == 5 && is_varint(f)) e.send_dont_have = as_bool(f.value, "entry.sendDontHave");
  }
  if (!has_address) fail("want-list entry without an address");
  return e;
}

WantList decode_want_list(std::span<const uint8_t> in) {
  WantList w;
  Reader r(in);
  while (!r.done()) {
    const Field f = r.next();
    if (f.number == 1 && is_bytes(f)) {
      if (w.entries.size() >= kMaxWantEntries)
        fail("more than " + std::to_string(kMaxWantEntries) + " want-list entries");
      w.entries.push_back(decode_entry(f.bytes));
    }
    if (f.number == 2 && is_varint(f)) w.full = as_bool(f.value, "wantList.full");
  }
  return w;
}

BlockDelivery decode_delivery(std::span<const uint8_t> in) {
  BlockDelivery d;
  std::optional<std::span<const uint8_t>> cid, address, proof;
  Reader r(in);
  while (!r.done()) {
    const Field f = r.next();
    if (f.number == 1 && is_bytes(f)) cid = f.bytes;
    if (f.number == 2 && is_bytes(f)) {
      if (f.bytes.size() > kMaxBlockSize)
        fail("block of " + std::to_string(f.bytes.size()) + " bytes exceeds " +
             std::to_string(kMaxBlockSize));
      d.data = text(f.bytes);
    }
    if (f.number == 3 && is_bytes(f)) address = f.bytes;
    if (f.number == 4 && is_bytes(f)) {
      if (f.bytes.size() > kMaxProofSize) fail("proof exceeds the limit");
      proof = f.bytes;
    }
  }
  if (!cid) fail("delivery without a CID");
  if (!address) fail("delivery without an address");
  d.cid = parse_cid(*cid, "delivery.cid");
  d.address = decode_address(*address);
  // As the reference: a proof counts for leaf addresses only.
  if (d.address.leaf && proof) d.proof = text(*proof);
  return d;
}

BlockPresence decode_presence(std::span<const uint8_t> in) {
  BlockPresence p;
  bool has_address = false;
  Reader r(in);
  while (!r.done()) {
    const Field f = r.next();
    if (f.number == 1 && is_bytes(f)) {
      p.address = decode_address(f.bytes);
      has_address = true;
    }
    if (f.number == 2 && is_varint(f)) {
      if (f.value > 1) fail("presence.type " + std::to_string(f.value) + " is unknown");
      p.type = PresenceType(f.value);
    }
    if (f.number == 3 && is_bytes(f)) {
      if (f.bytes.size() > 32) fail("presence.price is longer than a uint256");
      p.price = text(f.bytes);
    }
  }
  if (!has_address) fail("presence without an address");
  return p;
}

// AccountMessage / StateChannelUpdate: field 1, bytes.
std::string decode_single_bytes(std::span<const uint8_t> in, const char* what) {
  std::string out;
  Reader r(in);
  while (!r.done()) {
    const Field f = r.next();
    if (f.number == 1 && is_bytes(f)) {
      if (f.bytes.size() > kMaxSideBytes) fail(std::string(what) + " exceeds the limit");
      out = text(f.bytes);
    }
  }
  return out;
}

}  // namespace

std::string BlockAddress::key() const {
  if (!leaf) return "c" + cid.bytes();
  std::string k = "l";
  put_varint(k, index);
  return k + tree_cid.bytes();
}

std::string BlockAddress::to_string() const {
  if (!leaf) return cid.to_string();
  return tree_cid.to_string() + "[" + std::to_string(index) + "]";
}

std::string encode(const Message& m) {
  std::string out;
  out.reserve(message_size(m));
  put_message(out, m);
  return out;
}

void encode_framed(const Message& m, std::string& out) {
  const size_t size = message_size(m);
  out.clear();
  out.reserve(varint_size(size) + size);
  put_varint(out, size);
  put_message(out, m);
}

Message decode(std::span<const uint8_t> bytes) {
  if (bytes.size() > kMaxMessageSize)
    fail(std::to_string(bytes.size()) + " bytes exceed the limit of " +
         std::to_string(kMaxMessageSize));
  Message m;
  Reader r(bytes);
  while (!r.done()) {
    const Field f = r.next();
    if (f.number == 1 && is_bytes(f)) m.want_list = decode_want_list(f.bytes);
    if (f.number == 3 && is_bytes(f)) {
      if (m.deliveries.size() >= kMaxDeliveries)
        fail("more than " + std::to_string(kMaxDeliveries) + " deliveries");
      m.deliveries.push_back(decode_delivery(f.bytes));
    }
    if (f.number == 4 && is_bytes(f)) {
      if (m.presences.size() >= kMaxPresences)
        fail("more than " + std::to_string(kMaxPresences) + " presences");
      m.presences.push_back(decode_presence(f.bytes));
    }
    if (f.number == 5 && is_varint(f)) m.pending_bytes = f.value;
    if (f.number == 6 && is_bytes(f)) m.account = decode_single_bytes(f.bytes, "account");
    if (f.number == 7 && is_bytes(f))
      m.state_channel_update = decode_single_bytes(f.bytes, "state-channel update");
  }
  return m;
}

}  // namespace codex::net::blockexc
