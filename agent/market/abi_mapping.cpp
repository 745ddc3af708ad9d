#include "agent/market/abi_mapping.h"

#include "agent/eth/abi_codec.h"
#include "agent/eth/keccak.h"

namespace codex::market {
namespace {

using eth::AbiError;
using eth::AbiValue;
using L = AbiValue::List;

AbiValue h(const Hash& x) {
  return AbiValue(Bytes(x.begin(), x.end()));
}

Hash hash_of(const AbiValue& v) {
  const Bytes& b = v.as_bytes();
  if (b.size() != 32) throw AbiError("market: expected bytes32");
  Hash out;
  std::copy(b.begin(), b.end(), out.begin());
  return out;
}

uint64_t u64(const AbiValue& v) {
  return v.as_uint().to_u64();
}

uint8_t u8(const AbiValue& v) {
  uint64_t x = u64(v);
  if (x > 255) throw AbiError("market: uint8 out of range");
  return static_cast<uint8_t>(x);
}

AbiValue g1(const G1Point& p) {
  return AbiValue(L{p.x, p.y});
}
AbiValue fp2(const Fp2Element& e) {
  return AbiValue(L{e.real, e.imag});
}

}  // namespace

const eth::AbiType& request_abi_type() {
  static const eth::AbiType t = eth::AbiType::parse(
      "(address,(uint256,uint256,uint256,uint64,uint64,uint64,uint64),(bytes,bytes32),uint64,"
      "bytes32)");
  return t;
}

AbiValue to_abi(const Ask& a) {
  return AbiValue(L{a.proof_probability, a.price_per_byte_per_second, a.collateral_per_byte,
                    a.slots, a.slot_size, a.duration, a.max_slot_loss});
}

AbiValue to_abi(const Request& r) {
  return AbiValue(
      L{r.client, to_abi(r.ask), L{r.content.cid, h(r.content.merkle_root)}, r.expiry, h(r.nonce)});
}

AbiValue to_abi(const Groth16Proof& p) {
  return AbiValue(L{g1(p.a), L{fp2(p.b.x), fp2(p.b.y)}, g1(p.c)});
}

AbiValue to_abi(const MarketplaceConfig& c) {
  const auto& k = c.collateral;
  const auto& p = c.proofs;
  return AbiValue(
      L{L{uint64_t{k.repair_reward_percentage}, uint64_t{k.max_number_of_slashes},
          uint64_t{k.slash_percentage}, uint64_t{k.validator_reward_percentage}},
        L{p.period, p.timeout, uint64_t{p.downtime}, uint64_t{p.downtime_product}, p.zkey_hash},
        L{uint64_t{c.max_reservations}}, c.request_duration_limit});
}

Ask ask_from_abi(const AbiValue& v) {
  const auto& l = v.as_list();
  if (l.size() != 7) throw AbiError("market: Ask needs 7 members");
  return Ask{l[0].as_uint(), l[1].as_uint(), l[2].as_uint(), u64(l[3]),
             u64(l[4]),      u64(l[5]),      u64(l[6])};
}

Request request_from_abi(const AbiValue& v) {
  const auto& l = v.as_list();
  if (l.size() != 5 || l[2].as_list().size() != 2)
    throw AbiError("market: Request has the wrong shape");
  Request r;
  r.client = l[0].as_address();
  r.ask = ask_from_abi(l[1]);
  r.content.cid = l[2][0].as_bytes();
  r.content.merkle_root = hash_of(l[2][1]);
  r.expiry = u64(l[3]);
  r.nonce = hash_of(l[4]);
  return r;
}

MarketplaceConfig config_from_abi(const AbiValue& v) {
  const auto& l = v.as_list();
  if (l.size() != 4 || l[0].as_list().size() != 4 || l[1].as_list().size() != 5 ||
      l[2].as_list().size() != 1)
    throw AbiError("market: MarketplaceConfig has the wrong shape");
  MarketplaceConfig c;
  c.collateral = {u8(l[0][0]), u8(l[0][1]), u8(l[0][2]), u8(l[0][3])};
  c.proofs = {u64(l[1][0]), u64(l[1][1]), u8(l[1][2]), u8(l[1][3]), l[1][4].as_string()};
  c.max_reservations = u8(l[2][0]);
  c.request_duration_limit = u64(l[3]);
  return c;
}

}  // namespace codex::market
