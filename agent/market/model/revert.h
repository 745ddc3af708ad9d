// How the marketplace model reverts: the contract's custom errors, OpenZeppelin's
// ERC20 errors and Solidity 0.8's panics, named exactly as the chain side's
// decoder names them (MarketError::name(): "Marketplace_SlotNotFree",
// "ERC20InsufficientAllowance", "Panic(0x11)", "Panic(0x1)"), plus the checked
// arithmetic that raises Panic(0x11) where Solidity would.
//
// Inside the model a revert is the exception Revert; the model rolls the call's
// writes back and turns it into MarketError at the call boundary. Uint256's own
// std::overflow_error is treated as Panic(0x11) there too.
#pragma once

#include <cstdint>
#include <exception>
#include <string>
#include <vector>

#include "agent/eth/abi_value.h"
#include "agent/market/types.h"

namespace codex::market::model {

class Revert : public std::exception {
 public:
  // `detail` lists the error's arguments as format_error_arguments
  // (market_error.h) writes them ("0x…, 5, 10"), empty for none.
  Revert(std::string name, std::string detail)
      : name_(std::move(name)), detail_(std::move(detail)) {}
  const char* what() const noexcept override { return name_.c_str(); }
  const std::string& name() const { return name_; }
  const std::string& detail() const { return detail_; }

 private:
  std::string name_, detail_;
};

inline constexpr uint64_t kPanicAssert = 0x01;
inline constexpr uint64_t kPanicArithmetic = 0x11;

// A custom error without arguments (every marketplace error, spec §7).
[[noreturn]] void revert(const char* name);
// A custom error with arguments (OpenZeppelin's ERC20 errors), formatted as
// the chain side formats decoded revert data (format_error_arguments).
[[noreturn]] void revert(std::string name, const std::vector<eth::AbiValue>& args);
// Panic(code), named "Panic(0x11)" as eth::DecodedRevert::describe() does.
[[noreturn]] void panic(uint64_t code);

// Solidity 0.8 uint64 arithmetic: Panic(0x11) on wrap-around.
uint64_t add64(uint64_t a, uint64_t b);
uint64_t sub64(uint64_t a, uint64_t b);
uint64_t mul64(uint64_t a, uint64_t b);

// a % b on 256 bits. REQUIRES b != 0 (the contract checks it first).
Uint256 mod256(const Uint256& a, const Uint256& b);

}  // namespace codex::market::model
