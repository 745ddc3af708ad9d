#include "agent/eth/abi_codec.h"

#include <cstring>

namespace codex::eth::abi {
namespace {

using Kind = AbiType::Kind;
using Word = std::array<uint8_t, 32>;

[[noreturn]] void fail(const AbiType& t, const std::string& why) {
  throw AbiError("abi " + t.canonical() + ": " + why);
}

void put_word(Bytes& out, const Word& w) {
  out.insert(out.end(), w.begin(), w.end());
}
void put_u64(Bytes& out, uint64_t v) {
  put_word(out, Uint256(v).to_be_bytes());
}

// Checks that a two's-complement 256-bit value sign-extends from `bits`.
bool int_fits(const Word& w, unsigned bits) {
  size_t top = (256 - bits) / 8;
  uint8_t fill = (w[top] & 0x80) ? 0xff : 0x00;
  for (size_t i = 0; i < top; ++i)
    if (w[i] != fill) return false;
  return true;
}

void enc(const AbiType& t, const AbiValue& v, Bytes& out);

void enc_members(const AbiType& owner, const std::vector<const AbiType*>& types,
                 const AbiValue::List& vals, Bytes& out) {
  if (types.size() != vals.size())
    fail(owner, "expected " + std::to_string(types.size()) + " members, got " +
                    std::to_string(vals.size()));
  size_t head = 0;
  for (auto* t : types)
    head += t->head_size();
  const size_t start = out.size();
  out.reserve(start + head);
  std::vector<std::pair<size_t, size_t>> patches;  // (head position, member index)
  for (size_t i = 0; i < types.size(); ++i) {
    if (types[i]->is_dynamic()) {
      patches.emplace_back(out.size(), i);
      put_u64(out, 0);
    } else {
      enc(*types[i], vals[i], out);
    }
  }
  for (auto [pos, i] : patches) {
    Word off = Uint256(out.size() - start).to_be_bytes();
    std::memcpy(out.data() + pos, off.data(), 32);
    enc(*types[i], vals[i], out);
  }
}

void enc_padded(const uint8_t* p, size_t n, Bytes& out) {
  out.insert(out.end(), p, p + n);
  out.resize(out.size() + (32 - n % 32) % 32, 0);
}

void enc(const AbiType& t, const AbiValue& v, Bytes& out) {
  switch (t.kind) {
    case Kind::Uint: {
      const Uint256& u = v.as_uint();
      if (u.bit_length() > t.bits) fail(t, "value " + u.to_dec() + " out of range");
      put_word(out, u.to_be_bytes());
      return;
    }
    case Kind::Int: {
      Word w = v.as_uint().to_be_bytes();
      if (!int_fits(w, t.bits)) fail(t, "value out of range");
      put_word(out, w);
      return;
    }
    case Kind::Address: {
      Word w{};
      std::memcpy(w.data() + 12, v.as_address().bytes.data(), 20);
      put_word(out, w);
      return;
    }
    case Kind::Bool:
      put_u64(out, v.as_bool() ? 1 : 0);
      return;
    case Kind::FixedBytes: {
      const Bytes& b = v.as_bytes();
      if (b.size() != t.bits)
        fail(t, "expected " + std::to_string(t.bits) + " bytes, got " + std::to_string(b.size()));
      enc_padded(b.data(), b.size(), out);
      return;
    }
    case Kind::Bytes: {
      const Bytes& b = v.as_bytes();
      put_u64(out, b.size());
      enc_padded(b.data(), b.size(), out);
      return;
    }
    case Kind::String: {
      const std::string& s = v.as_string();
      put_u64(out, s.size());
      enc_padded(reinterpret_cast<const uint8_t*>(s.data()), s.size(), out);
      return;
    }
    case Kind::Tuple: {
      std::vector<const AbiType*> types;
      for (const auto& c : t.components)
        types.push_back(&c);
      enc_members(t, types, v.as_list(), out);
      return;
    }
    case Kind::FixedArray:
    case Kind::Array: {
      const auto& list = v.as_list();
      if (t.kind == Kind::FixedArray && list.size() != t.length)
        fail(t, "expected " + std::to_string(t.length) + " elements, got " +
                    std::to_string(list.size()));
      if (t.kind == Kind::Array) put_u64(out, list.size());
      std::vector<const AbiType*> types(list.size(), &t.element());
      enc_members(t, types, list, out);
      return;
    }
  }
}

// Strict bounded decoder over one buffer.
class Decoder {
 public:
  explicit Decoder(std::span<const uint8_t> d) : d_(d), budget_(16 * d.size() + 4096) {}

  AbiValue at(const AbiType& t, size_t pos) {
    switch (t.kind) {
      case Kind::Uint: {
        const uint8_t* w = word(t, pos);
        for (size_t i = 0; i < (256 - t.bits) / 8; ++i)
          if (w[i]) fail(t, "value exceeds its width at offset " + std::to_string(pos));
        return AbiValue(Uint256::from_be_bytes(std::span<const uint8_t>(w, 32)));
      }
      case Kind::Int: {
        const uint8_t* w = word(t, pos);
        Word copy;
        std::memcpy(copy.data(), w, 32);
        if (!int_fits(copy, t.bits)) fail(t, "bad sign extension at offset " + std::to_string(pos));
        return AbiValue(Uint256::from_be_bytes(copy));
      }
      case Kind::Address: {
        const uint8_t* w = word(t, pos);
        for (size_t i = 0; i < 12; ++i)
          if (w[i]) fail(t, "non-zero padding at offset " + std::to_string(pos));
        Address a;
        std::memcpy(a.bytes.data(), w + 12, 20);
        return AbiValue(a);
      }
      case Kind::Bool: {
        const uint8_t* w = word(t, pos);
        for (size_t i = 0; i < 31; ++i)
          if (w[i]) fail(t, "not 0 or 1 at offset " + std::to_string(pos));
        if (w[31] > 1) fail(t, "not 0 or 1 at offset " + std::to_string(pos));
        return AbiValue(w[31] == 1);
      }
      case Kind::FixedBytes: {
        const uint8_t* w = word(t, pos);
        for (size_t i = t.bits; i < 32; ++i)
          if (w[i]) fail(t, "non-zero padding at offset " + std::to_string(pos));
        charge(t, 32);
        return AbiValue(Bytes(w, w + t.bits));
      }
      case Kind::Bytes:
      case Kind::String: {
        size_t n = size_word(t, pos);
        if (n > d_.size() - pos - 32) fail(t, "length " + std::to_string(n) + " runs past the end");
        charge(t, n);
        const uint8_t* p = d_.data() + pos + 32;
        if (t.kind == Kind::Bytes) return AbiValue(Bytes(p, p + n));
        return AbiValue(std::string(reinterpret_cast<const char*>(p), n));
      }
      case Kind::Tuple: {
        std::vector<const AbiType*> types;
        types.reserve(t.components.size());
        for (const auto& c : t.components)
          types.push_back(&c);
        return members(t, types, pos);
      }
      case Kind::FixedArray: {
        std::vector<const AbiType*> types(t.length, &t.element());
        return members(t, types, pos);
      }
      case Kind::Array: {
        size_t n = size_word(t, pos);
        size_t avail = d_.size() - pos - 32;
        if (n > avail / std::max<size_t>(32, t.element().head_size()))
          fail(t, "array length " + std::to_string(n) + " runs past the end");
        std::vector<const AbiType*> types(n, &t.element());
        return members(t, types, pos + 32);
      }
    }
    fail(t, "unknown kind");
  }

 private:
  const uint8_t* word(const AbiType& t, size_t pos) {
    if (pos > d_.size() || d_.size() - pos < 32)
      fail(t, "truncated data: need 32 bytes at offset " + std::to_string(pos) + " of " +
                  std::to_string(d_.size()));
    return d_.data() + pos;
  }

  // A length or offset word: must fit well inside the buffer.
  size_t size_word(const AbiType& t, size_t pos) {
    const uint8_t* w = word(t, pos);
    for (size_t i = 0; i < 24; ++i)
      if (w[i]) fail(t, "offset or length too large at offset " + std::to_string(pos));
    uint64_t v = 0;
    for (size_t i = 24; i < 32; ++i)
      v = v << 8 | w[i];
    if (v > d_.size())
      fail(t, "offset or length " + std::to_string(v) + " beyond the data at offset " +
                  std::to_string(pos));
    return static_cast<size_t>(v);
  }

  AbiValue members(const AbiType& owner, const std::vector<const AbiType*>& types, size_t start) {
    charge(owner, types.size() * sizeof(AbiValue));
    AbiValue::List out;
    out.reserve(types.size());
    size_t head = start;
    for (const AbiType* t : types) {
      if (t->is_dynamic()) {
        size_t off = size_word(*t, head);
        if (off > d_.size() - start) fail(*t, "offset " + std::to_string(off) + " beyond the data");
        out.push_back(at(*t, start + off));
      } else {
        out.push_back(at(*t, head));
      }
      head += t->head_size();
    }
    return AbiValue(std::move(out));
  }

  // Bounds the total work, so that many elements pointing at one large tail
  // cannot blow up memory.
  void charge(const AbiType& t, size_t n) {
    if (n > budget_) fail(t, "decoded size exceeds the bound for this input");
    budget_ -= n;
  }

  std::span<const uint8_t> d_;
  size_t budget_;
};

}  // namespace

Bytes encode(const AbiType& type, const AbiValue& value) {
  return encode_params({type}, {value});
}

Bytes encode_params(const std::vector<AbiType>& types, const std::vector<AbiValue>& values) {
  return encode_tuple(AbiType::tuple(types), values);
}

Bytes encode_tuple(const AbiType& tuple_type, const std::vector<AbiValue>& values) {
  if (tuple_type.kind != Kind::Tuple) fail(tuple_type, "not a tuple");
  Bytes out;
  std::vector<const AbiType*> types;
  for (const auto& c : tuple_type.components)
    types.push_back(&c);
  enc_members(tuple_type, types, values, out);
  return out;
}

AbiValue decode(const AbiType& type, std::span<const uint8_t> data) {
  auto v = decode_params({type}, data);
  return std::move(v.front());
}

std::vector<AbiValue> decode_params(const std::vector<AbiType>& types,
                                    std::span<const uint8_t> data) {
  return decode_tuple(AbiType::tuple(types), data);
}

std::vector<AbiValue> decode_tuple(const AbiType& tuple_type, std::span<const uint8_t> data) {
  if (tuple_type.kind != Kind::Tuple) fail(tuple_type, "not a tuple");
  Decoder dec(data);
  AbiValue v = dec.at(tuple_type, 0);
  return std::get<AbiValue::List>(std::move(v.v));
}

AbiValue decode_word(const AbiType& type, std::span<const uint8_t, 32> word) {
  if (type.is_dynamic() || type.head_size() != 32) fail(type, "not a single-word value type");
  Decoder dec(word);
  return dec.at(type, 0);
}

}  // namespace codex::eth::abi
