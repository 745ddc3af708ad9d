#include "agent/market/model/model_token.h"

#include "agent/market/model/revert.h"

namespace codex::market::model {
namespace {

const Uint256 kMaxUint256 =
    Uint256::from_string("0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff");

}  // namespace

Uint256 ModelToken::balance_of(const Address& who) const {
  auto it = balances_.find(who);
  return it == balances_.end() ? Uint256() : it->second;
}

Uint256 ModelToken::allowance(const Address& owner, const Address& spender) const {
  auto it = allowances_.find({owner, spender});
  return it == allowances_.end() ? Uint256() : it->second;
}

Uint256& ModelToken::balance_slot(const Address& who, Rollback& rb) {
  auto [it, inserted] = balances_.try_emplace(who);
  if (inserted) rb.on_undo([this, who] { balances_.erase(who); });
  return it->second;
}

void ModelToken::mint(const Address& to, const Uint256& value, Rollback& rb) {
  if (to.is_zero()) revert("ERC20InvalidReceiver", {Address()});
  rb.set(total_supply_, total_supply_ + value);  // the one checked add (_update from 0)
  Uint256& b = balance_slot(to, rb);
  rb.set(b, b + value);
}

void ModelToken::approve(const Address& owner, const Address& spender, const Uint256& value,
                         Rollback& rb) {
  if (owner.is_zero()) revert("ERC20InvalidApprover", {Address()});
  if (spender.is_zero()) revert("ERC20InvalidSpender", {Address()});
  auto [it, inserted] = allowances_.try_emplace({owner, spender});
  if (inserted) rb.on_undo([this, owner, spender] { allowances_.erase({owner, spender}); });
  rb.set(it->second, value);
}

void ModelToken::transfer(const Address& from, const Address& to, const Uint256& value,
                          Rollback& rb) {
  if (from.is_zero()) revert("ERC20InvalidSender", {Address()});
  if (to.is_zero()) revert("ERC20InvalidReceiver", {Address()});
  const Uint256 from_balance = balance_of(from);
  if (from_balance < value) revert("ERC20InsufficientBalance", {from, from_balance, value});
  Uint256& f = balance_slot(from, rb);
  rb.set(f, from_balance - value);
  Uint256& t = balance_slot(to, rb);
  rb.set(t, t + value);  // cannot wrap: every balance is below the total supply
}

void ModelToken::transfer_from(const Address& spender, const Address& from, const Address& to,
                               const Uint256& value, Rollback& rb) {
  const Uint256 current = allowance(from, spender);
  if (current < kMaxUint256) {
    if (current < value) revert("ERC20InsufficientAllowance", {spender, current, value});
    // _approve(..., emitEvent = false): no Approval event, which the model does not log anyway
    auto [it, inserted] = allowances_.try_emplace({from, spender});
    if (inserted) rb.on_undo([this, from, spender] { allowances_.erase({from, spender}); });
    rb.set(it->second, current - value);
  }
  transfer(from, to, value, rb);
}

}  // namespace codex::market::model
