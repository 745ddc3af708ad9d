#pragma once
// Multihash: <varint code><varint length><digest>.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace codex {

class Multihash {
 public:
  Multihash() = default;
  // Throws FormatError if the code is unknown or the digest has the wrong size.
  Multihash(uint64_t code, std::string digest);

  // Parses a whole buffer; throws FormatError on any malformation or trailing bytes.
  static Multihash decode(std::span<const uint8_t> bytes);
  // Parses from the front of in, advancing it.
  static Multihash read(std::span<const uint8_t>& in);

  uint64_t code() const { return code_; }
  const std::string& digest() const { return digest_; }
  std::string encode() const;

  friend bool operator==(const Multihash&, const Multihash&) = default;

 private:
  uint64_t code_ = 0;
  std::string digest_;
};

}  // namespace codex
