// The marketplace's token in the model: TestToken = OpenZeppelin 5.5's ERC20
// (balances, allowances, total supply) with its unrestricted mint. Each
// function checks in OpenZeppelin's order and reverts with its errors and
// arguments (ERC20InsufficientAllowance(spender, allowance, needed),
// ERC20InsufficientBalance(sender, balance, needed), ERC20InvalidReceiver(0),
// ERC20InvalidSpender(0), ...). An allowance of 2^256 - 1 is never spent.
//
// Not thread-safe (the model's lock guards it).
#pragma once

#include <unordered_map>

#include "agent/market/model/id_set.h"
#include "agent/market/model/rollback.h"
#include "agent/market/types.h"

namespace codex::market::model {

class ModelToken {
 public:
  Uint256 balance_of(const Address& who) const;
  Uint256 allowance(const Address& owner, const Address& spender) const;
  const Uint256& total_supply() const { return total_supply_; }

  // _mint: ERC20InvalidReceiver for 0; Panic(0x11) when the supply overflows.
  void mint(const Address& to, const Uint256& value, Rollback& rb);
  // approve by `owner`: ERC20InvalidSpender for 0.
  void approve(const Address& owner, const Address& spender, const Uint256& value, Rollback& rb);
  // transfer by `from` (_transfer): invalid sender/receiver, insufficient balance.
  void transfer(const Address& from, const Address& to, const Uint256& value, Rollback& rb);
  // transferFrom by `spender`: _spendAllowance, then _transfer.
  void transfer_from(const Address& spender, const Address& from, const Address& to,
                     const Uint256& value, Rollback& rb);

 private:
  struct PairHash {
    size_t operator()(const std::pair<Address, Address>& p) const {
      return IdHash{}(p.first) * 31 + IdHash{}(p.second);
    }
  };
  Uint256& balance_slot(const Address& who, Rollback& rb);

  std::unordered_map<Address, Uint256, IdHash> balances_;
  std::unordered_map<std::pair<Address, Address>, Uint256, PairHash> allowances_;
  Uint256 total_supply_;
};

}  // namespace codex::market::model
