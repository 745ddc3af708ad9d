#include "agent/eth/abi_value.h"

namespace codex::eth {
namespace {

template <class T>
const T& get(const AbiValue& v, const char* what) {
  if (auto p = std::get_if<T>(&v.v)) return *p;
  throw AbiError(std::string("abi value: expected ") + what);
}

}  // namespace

AbiValue AbiValue::from_int(int64_t x) {
  if (x >= 0) return AbiValue(Uint256(static_cast<uint64_t>(x)));
  // Two's complement: 2^256 - |x| computed as (2^256 - 1) - (|x| - 1).
  auto all = Uint256::from_be_bytes(
      std::array<uint8_t, 32>{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                              0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                              0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff});
  uint64_t mag_minus_1 = static_cast<uint64_t>(-(x + 1));
  return AbiValue(all - Uint256(mag_minus_1));
}

const Uint256& AbiValue::as_uint() const {
  return get<Uint256>(*this, "an integer");
}
bool AbiValue::as_bool() const {
  return get<bool>(*this, "a bool");
}
const Address& AbiValue::as_address() const {
  return get<Address>(*this, "an address");
}
const Bytes& AbiValue::as_bytes() const {
  return get<Bytes>(*this, "bytes");
}
const std::string& AbiValue::as_string() const {
  return get<std::string>(*this, "a string");
}
const AbiValue::List& AbiValue::as_list() const {
  return get<List>(*this, "a tuple or array");
}

int64_t AbiValue::as_int64() const {
  const Uint256& u = as_uint();
  if (u.fits_u64() && u.limb(0) <= static_cast<uint64_t>(INT64_MAX))
    return static_cast<int64_t>(u.limb(0));
  // Negative: all upper limbs 0xff.. and the low limb's top bit set.
  if (u.limb(1) == ~uint64_t{0} && u.limb(2) == ~uint64_t{0} && u.limb(3) == ~uint64_t{0} &&
      (u.limb(0) >> 63))
    return static_cast<int64_t>(u.limb(0));
  throw AbiError("abi value: integer does not fit int64");
}

}  // namespace codex::eth
