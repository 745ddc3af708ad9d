#include "exchange/multiformats/multihash.h"

#include "exchange/error.h"
#include "exchange/multiformats/multicodec.h"
#include "exchange/multiformats/varint.h"

namespace codex {
namespace {

// Identity multihashes carry field elements and short keys; bound them.
constexpr size_t kMaxIdentityDigest = 128;

void check(uint64_t code, size_t len) {
  auto size = multicodec::digest_size(code);
  if (!size) throw FormatError("multihash: unknown hash function 0x" + std::to_string(code));
  if (*size != 0 && *size != len)
    throw FormatError("multihash: digest of " + std::string(*multicodec::name(code)) + " must be " +
                      std::to_string(*size) + " bytes, got " + std::to_string(len));
  if (*size == 0 && len > kMaxIdentityDigest)
    throw FormatError("multihash: identity digest too long");
}

}  // namespace

Multihash::Multihash(uint64_t code, std::string digest) : code_(code), digest_(std::move(digest)) {
  check(code_, digest_.size());
}

Multihash Multihash::read(std::span<const uint8_t>& in) {
  uint64_t code = varint::read(in);
  uint64_t len = varint::read(in);
  if (len > in.size()) throw FormatError("multihash: digest truncated");
  check(code, len);
  Multihash mh;
  mh.code_ = code;
  mh.digest_.assign(reinterpret_cast<const char*>(in.data()), len);
  in = in.subspan(len);
  return mh;
}

Multihash Multihash::decode(std::span<const uint8_t> bytes) {
  Multihash mh = read(bytes);
  if (!bytes.empty()) throw FormatError("multihash: trailing bytes");
  return mh;
}

std::string Multihash::encode() const {
  std::string out;
  varint::append(out, code_);
  varint::append(out, digest_.size());
  out += digest_;
  return out;
}

}  // namespace codex
