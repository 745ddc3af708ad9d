// A contract call or transaction of the market layer reverted: the decoded
// error's name and arguments. Both MarketApi implementations fill them the same
// way (the chain from the revert data, the model from its Revert), so two
// errors compare as values: name(), arguments() and function().
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "agent/eth/abi_value.h"

namespace codex::market {

// An error's arguments as MarketError carries them: addresses in lower-case 0x
// hex, integers in decimal, booleans as true/false, bytes in 0x hex, strings
// quoted, tuples and arrays in [...]; ", " between, "" for none. The one
// formatting of error arguments (the chain's decoder and the model use it).
std::string format_error_arguments(const std::vector<eth::AbiValue>& args);

class MarketError : public std::runtime_error {
 public:
  // `name`: the decoded error ("Marketplace_SlotNotFree",
  // "ERC20InsufficientAllowance", "Panic(0x11)", "Error(\"...\")") or "" when
  // unknown; `function`: the call that reverted; `arguments`: the error's
  // arguments as format_error_arguments writes them ("" for none, and for
  // Panic and Error whose name carries them); `context`: where it happened
  // ("at gas estimation"), for the message only.
  // what(): "marketplace <function> reverted: <reason()>[ (<context>)]".
  MarketError(std::string name, std::string function, std::string arguments = {},
              const std::string& context = {});

  const std::string& name() const { return name_; }
  const std::string& function() const { return function_; }
  const std::string& arguments() const { return arguments_; }
  // The error as Solidity would write it: "ERC20InsufficientAllowance(0x…, 5,
  // 10)", or the bare name without arguments ("unknown error" for none).
  std::string reason() const;

 private:
  std::string name_, function_, arguments_;
};

}  // namespace codex::market
