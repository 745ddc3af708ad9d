#pragma once
// CIDv1: <varint 1><varint codec><multihash>. String form: multibase base58btc ('z…').
#include <compare>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>

#include "exchange/multiformats/multihash.h"

namespace codex {

class Cid {
 public:
  Cid() = default;  // an empty, invalid CID; valid() is false
  // Throws FormatError when codec is not a known content codec.
  Cid(uint64_t codec, Multihash hash);

  // Binary form; throws FormatError on anything but a well-formed CIDv1 with a
  // known codec and multihash, with no trailing bytes.
  static Cid from_bytes(std::span<const uint8_t> bytes);
  static Cid from_bytes(std::string_view bytes);
  // String form ('z' + base58btc); throws FormatError with the reason.
  static Cid parse(std::string_view text);

  // CIDv1(codec, sha2-256(data)).
  static Cid sha256_of(uint64_t codec, std::span<const uint8_t> data);
  // The block CID of zero bytes: codex-block, sha2-256(""). Marks padding.
  static const Cid& empty_block();

  bool valid() const { return !bytes_.empty(); }
  uint64_t codec() const { return codec_; }
  const Multihash& hash() const { return hash_; }
  // The binary form (cached).
  const std::string& bytes() const { return bytes_; }
  std::string to_string() const;

  friend bool operator==(const Cid& a, const Cid& b) { return a.bytes_ == b.bytes_; }
  friend auto operator<=>(const Cid& a, const Cid& b) { return a.bytes_ <=> b.bytes_; }

 private:
  uint64_t codec_ = 0;
  Multihash hash_;
  std::string bytes_;
};

}  // namespace codex

template <>
struct std::hash<codex::Cid> {
  size_t operator()(const codex::Cid& c) const noexcept {
    return std::hash<std::string>{}(c.bytes());
  }
};
