// A contract call or transaction of the market layer reverted.
#pragma once

#include <stdexcept>
#include <string>

namespace codex::market {

// `name` is the decoded error ("Marketplace_SlotNotFree", "ERC20InsufficientAllowance",
// "Panic(0x11)", ...) or "" when unknown; `function` the call that reverted.
class MarketError : public std::runtime_error {
 public:
  MarketError(std::string name, std::string function, const std::string& detail);
  const std::string& name() const { return name_; }
  const std::string& function() const { return function_; }

 private:
  std::string name_, function_;
};

}  // namespace codex::market
