#include "agent/eth/rlp.h"

#include <string>

namespace codex::eth::rlp {
namespace {

Bytes be_length(size_t n) {
  Bytes b;
  while (n) {
    b.insert(b.begin(), static_cast<uint8_t>(n & 0xff));
    n >>= 8;
  }
  return b;
}

Bytes header(size_t len, uint8_t short_base, uint8_t long_base) {
  if (len <= 55) return Bytes{static_cast<uint8_t>(short_base + len)};
  Bytes l = be_length(len);
  Bytes h{static_cast<uint8_t>(long_base + l.size())};
  h.insert(h.end(), l.begin(), l.end());
  return h;
}

[[noreturn]] void fail(size_t at, const std::string& what) {
  throw DecodeError("rlp: " + what + " at byte " + std::to_string(at));
}

class Decoder {
 public:
  explicit Decoder(std::span<const uint8_t> d) : d_(d) {}

  // Decodes the item starting at `pos` and ending no later than `end`; returns its end.
  size_t item(size_t pos, size_t end, int depth, Item& out) {
    if (depth > kMaxDepth) fail(pos, "nesting too deep");
    if (pos >= end) fail(pos, "truncated input");
    uint8_t p = d_[pos];
    if (p < 0x80) {
      out.bytes.assign(1, p);
      return pos + 1;
    }
    bool list = p >= 0xc0;
    uint8_t base = list ? 0xc0 : 0x80;
    size_t off = pos + 1, len = 0;
    if (p - base <= 55) {
      len = p - base;
    } else {
      size_t ll = p - base - 55;
      if (ll > 8 || off + ll > end) fail(pos, "truncated length");
      if (d_[off] == 0) fail(pos, "length with leading zero");
      for (size_t i = 0; i < ll; ++i)
        len = len << 8 | d_[off + i];
      if (len <= 55) fail(pos, "long form used for a short length");
      off += ll;
    }
    if (len > end - off) fail(pos, "payload runs past the end");
    if (!list) {
      if (len == 1 && d_[off] < 0x80) fail(pos, "single byte not encoded as itself");
      out.bytes.assign(d_.begin() + off, d_.begin() + off + len);
      return off + len;
    }
    out.is_list = true;
    size_t cur = off, stop = off + len;
    while (cur < stop) {
      out.items.emplace_back();
      cur = item(cur, stop, depth + 1, out.items.back());
    }
    return stop;
  }

 private:
  std::span<const uint8_t> d_;
};

}  // namespace

Bytes encode_bytes(std::span<const uint8_t> data) {
  if (data.size() == 1 && data[0] < 0x80) return Bytes{data[0]};
  Bytes out = header(data.size(), 0x80, 0xb7);
  out.insert(out.end(), data.begin(), data.end());
  return out;
}

Bytes encode_uint(const Uint256& v) {
  auto be = v.to_be_bytes();
  size_t skip = 0;
  while (skip < be.size() && be[skip] == 0)
    ++skip;
  return encode_bytes(std::span<const uint8_t>(be).subspan(skip));
}

Bytes encode_list(const std::vector<Bytes>& encoded_items) {
  size_t total = 0;
  for (const auto& i : encoded_items)
    total += i.size();
  Bytes out = header(total, 0xc0, 0xf7);
  out.reserve(out.size() + total);
  for (const auto& i : encoded_items)
    out.insert(out.end(), i.begin(), i.end());
  return out;
}

Uint256 Item::as_uint() const {
  if (is_list) throw DecodeError("rlp: expected an integer, got a list");
  if (!bytes.empty() && bytes[0] == 0) throw DecodeError("rlp: integer with leading zero");
  if (bytes.size() > 32) throw DecodeError("rlp: integer longer than 32 bytes");
  return Uint256::from_be_bytes(bytes);
}

Item decode(std::span<const uint8_t> data) {
  Item out;
  Decoder dec(data);
  size_t end = dec.item(0, data.size(), 0, out);
  if (end != data.size()) fail(end, "trailing bytes");
  return out;
}

}  // namespace codex::eth::rlp
