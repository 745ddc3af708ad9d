#include "exchange/multiformats/cid.h"

#include "exchange/crypto/sha256.h"
#include "exchange/error.h"
#include "exchange/multiformats/base58.h"
#include "exchange/multiformats/multicodec.h"
#include "exchange/multiformats/varint.h"

namespace codex {
namespace {

// Longest CID string we accept; real ones are < 100 characters.
constexpr size_t kMaxCidText = 256;

std::span<const uint8_t> as_bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

}  // namespace

Cid::Cid(uint64_t codec, Multihash hash) : codec_(codec), hash_(std::move(hash)) {
  if (!multicodec::is_content_codec(codec))
    throw FormatError("cid: unknown content codec 0x" + std::to_string(codec));
  varint::append(bytes_, 1);
  varint::append(bytes_, codec_);
  bytes_ += hash_.encode();
}

Cid Cid::from_bytes(std::span<const uint8_t> bytes) {
  if (bytes.empty()) throw FormatError("cid: empty");
  if (bytes.size() >= 2 && bytes[0] == 0x12 && bytes[1] == 0x20)
    throw FormatError("cid: CIDv0 is not supported");
  uint64_t version = varint::read(bytes);
  if (version != 1) throw FormatError("cid: unsupported version " + std::to_string(version));
  uint64_t codec = varint::read(bytes);
  Multihash mh = Multihash::decode(bytes);
  return Cid(codec, std::move(mh));
}

Cid Cid::from_bytes(std::string_view bytes) {
  return from_bytes(as_bytes(bytes));
}

Cid Cid::parse(std::string_view text) {
  if (text.empty()) throw FormatError("cid: empty string");
  if (text.size() > kMaxCidText) throw FormatError("cid: string too long");
  if (text[0] != 'z')
    throw FormatError("cid: only base58btc ('z' prefix) CIDv1 strings are supported");
  std::string raw = base58::decode(text.substr(1));
  return from_bytes(std::string_view(raw));
}

Cid Cid::sha256_of(uint64_t codec, std::span<const uint8_t> data) {
  Digest32 d = sha256(data);
  return Cid(codec, Multihash(multicodec::kSha2_256, std::string(d.begin(), d.end())));
}

const Cid& Cid::empty_block() {
  static const Cid kEmpty = sha256_of(multicodec::kBlock, {});
  return kEmpty;
}

std::string Cid::to_string() const {
  return "z" + base58::encode(as_bytes(bytes_));
}

}  // namespace codex
