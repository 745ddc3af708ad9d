#include "agent/eth/transaction.h"

#include <stdexcept>

#include "agent/eth/keccak.h"
#include "agent/eth/rlp.h"

namespace codex::eth {
namespace {

Bytes enc_to(const std::optional<Address>& to) {
  return to ? rlp::encode_bytes(to->bytes) : rlp::encode_bytes(std::span<const uint8_t>());
}

std::vector<Bytes> fields(const Eip1559Tx& tx) {
  return {rlp::encode_uint(tx.chain_id),
          rlp::encode_uint(tx.nonce),
          rlp::encode_uint(tx.max_priority_fee_per_gas),
          rlp::encode_uint(tx.max_fee_per_gas),
          rlp::encode_uint(tx.gas_limit),
          enc_to(tx.to),
          rlp::encode_uint(tx.value),
          rlp::encode_bytes(tx.data),
          rlp::encode_list({})};
}

std::vector<Bytes> fields(const LegacyTx& tx) {
  return {rlp::encode_uint(tx.nonce),     rlp::encode_uint(tx.gas_price),
          rlp::encode_uint(tx.gas_limit), enc_to(tx.to),
          rlp::encode_uint(tx.value),     rlp::encode_bytes(tx.data)};
}

Bytes typed(uint8_t type, const Bytes& payload) {
  Bytes out(1 + payload.size());  // sized up front: GCC 12 misreads insert() here (-Warray-bounds)
  out[0] = type;
  std::copy(payload.begin(), payload.end(), out.begin() + 1);
  return out;
}

Uint256 word(const std::array<uint8_t, 32>& w) {
  return Uint256::from_be_bytes(w);
}

std::array<uint8_t, 32> word_of(const rlp::Item& it) {
  return it.as_uint().to_be_bytes();
}

}  // namespace

Hash signing_hash(const Eip1559Tx& tx) {
  return keccak256(typed(0x02, rlp::encode_list(fields(tx))));
}

Hash signing_hash(const LegacyTx& tx) {
  auto f = fields(tx);
  f.push_back(rlp::encode_uint(tx.chain_id));
  f.push_back(rlp::encode_uint(0));
  f.push_back(rlp::encode_uint(0));
  return keccak256(rlp::encode_list(f));
}

SignedTx sign(const Eip1559Tx& tx, const PrivateKey& key) {
  if (tx.max_priority_fee_per_gas > tx.max_fee_per_gas)
    throw std::invalid_argument("transaction: max priority fee above max fee");
  Signature sig = key.sign(signing_hash(tx));
  auto f = fields(tx);
  f.push_back(rlp::encode_uint(sig.recovery_id));
  f.push_back(rlp::encode_uint(word(sig.r)));
  f.push_back(rlp::encode_uint(word(sig.s)));
  SignedTx out;
  out.raw = typed(0x02, rlp::encode_list(f));
  out.hash = keccak256(out.raw);
  out.nonce = tx.nonce;
  out.from = key.address();
  return out;
}

SignedTx sign(const LegacyTx& tx, const PrivateKey& key) {
  Signature sig = key.sign(signing_hash(tx));
  auto f = fields(tx);
  f.push_back(rlp::encode_uint(Uint256(tx.chain_id) * 2 + 35 + sig.recovery_id));
  f.push_back(rlp::encode_uint(word(sig.r)));
  f.push_back(rlp::encode_uint(word(sig.s)));
  SignedTx out;
  out.raw = rlp::encode_list(f);
  out.hash = keccak256(out.raw);
  out.nonce = tx.nonce;
  out.from = key.address();
  return out;
}

SignedTx parse_signed(std::span<const uint8_t> raw) {
  if (raw.empty()) throw std::invalid_argument("transaction: empty");
  auto to_of = [](const rlp::Item& it) -> std::optional<Address> {
    if (it.is_list) throw std::invalid_argument("transaction: 'to' is a list");
    if (it.bytes.empty()) return std::nullopt;
    if (it.bytes.size() != 20) throw std::invalid_argument("transaction: 'to' is not 20 bytes");
    Address a;
    std::copy(it.bytes.begin(), it.bytes.end(), a.bytes.begin());
    return a;
  };
  auto bytes_of = [](const rlp::Item& it) {
    if (it.is_list) throw std::invalid_argument("transaction: data is a list");
    return it.bytes;
  };
  SignedTx out;
  out.raw.assign(raw.begin(), raw.end());
  out.hash = keccak256(raw);
  Signature sig;
  Hash h;
  if (raw[0] == 0x02) {
    rlp::Item item = rlp::decode(raw.subspan(1));
    if (!item.is_list || item.items.size() != 12)
      throw std::invalid_argument("transaction: type 2 needs 12 fields");
    const auto& it = item.items;
    Eip1559Tx tx{it[0].as_uint().to_u64(), it[1].as_uint().to_u64(), it[2].as_uint(),
                 it[3].as_uint(),          it[4].as_uint().to_u64(), to_of(it[5]),
                 it[6].as_uint(),          bytes_of(it[7])};
    if (!it[8].is_list || !it[8].items.empty())
      throw std::invalid_argument("transaction: access lists unsupported");
    Uint256 v = it[9].as_uint();
    if (v > 1) throw std::invalid_argument("transaction: bad y parity");
    sig.recovery_id = static_cast<uint8_t>(v.to_u64());
    sig.r = word_of(it[10]);
    sig.s = word_of(it[11]);
    h = signing_hash(tx);
    out.nonce = tx.nonce;
  } else if (raw[0] >= 0xc0) {
    rlp::Item item = rlp::decode(raw);
    if (!item.is_list || item.items.size() != 9)
      throw std::invalid_argument("transaction: legacy needs 9 fields");
    const auto& it = item.items;
    Uint256 v = it[6].as_uint();
    if (v < 37) throw std::invalid_argument("transaction: legacy without EIP-155 chain id");
    uint64_t vv = v.to_u64();
    LegacyTx tx{(vv - 35) / 2, it[0].as_uint().to_u64(), it[1].as_uint(), it[2].as_uint().to_u64(),
                to_of(it[3]),  it[4].as_uint(),          bytes_of(it[5])};
    sig.recovery_id = static_cast<uint8_t>((vv - 35) % 2);
    sig.r = word_of(it[7]);
    sig.s = word_of(it[8]);
    h = signing_hash(tx);
    out.nonce = tx.nonce;
  } else {
    throw std::invalid_argument("transaction: unsupported type byte");
  }
  out.from = recover_address(h, sig);
  return out;
}

}  // namespace codex::eth
