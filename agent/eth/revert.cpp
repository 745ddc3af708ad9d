#include "agent/eth/revert.h"

namespace codex::eth {

std::string DecodedRevert::describe() const {
  if (reason) return "Error(\"" + *reason + "\")";
  if (panic_code) return "Panic(" + Uint256(*panic_code).to_quantity() + ")";
  if (!name.empty()) return name;
  return "unknown revert";
}

DecodedRevert decode_revert(std::span<const uint8_t> data,
                            const std::vector<const ContractAbi*>& abis) {
  DecodedRevert out;
  if (data.size() < 4) return out;
  Selector sel{data[0], data[1], data[2], data[3]};
  auto body = data.subspan(4);
  static const Selector kError = selector_of("Error(string)");
  static const Selector kPanic = selector_of("Panic(uint256)");
  try {
    if (sel == kError) {
      out.name = "Error";
      out.signature = "Error(string)";
      out.args = abi::decode_params({AbiType::parse("string")}, body);
      out.reason = out.args[0].as_string();
      return out;
    }
    if (sel == kPanic) {
      out.name = "Panic";
      out.signature = "Panic(uint256)";
      out.args = abi::decode_params({AbiType::parse("uint256")}, body);
      const Uint256& code = out.args[0].as_uint();
      out.panic_code = code.fits_u64() ? code.to_u64() : ~uint64_t{0};
      return out;
    }
    for (const ContractAbi* a : abis) {
      if (const AbiErrorDef* e = a->error_by_selector(sel)) {
        out.name = e->name;
        out.signature = e->signature;
        out.args = abi::decode_tuple(e->input_tuple, body);
        return out;
      }
    }
  } catch (const AbiError&) {
    out.args.clear();  // known selector, malformed arguments: keep the name
  }
  return out;
}

}  // namespace codex::eth
