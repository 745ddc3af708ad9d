// The marketplace's ERC20 token (spec/marketplace.md §12): balances and
// allowances (views) and approve/transfer (transactions through the journaled
// TxSender, each under the caller's idempotency key: an approval's key names
// what it pays for, e.g. "approve/fillSlot/<slotId>"); mint exists only on
// TestToken. Reverts surface as MarketError carrying the ERC20 error name
// (e.g. "ERC20InsufficientBalance").
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "agent/eth/contract_abi.h"
#include "agent/eth/eth_client.h"
#include "agent/eth/tx_sender.h"
#include "agent/market/types.h"
#include "agent/market/view_call.h"

namespace codex::market {

class Token {
 public:
  // `eth` (and `sender` when given) must outlive this object. `abi_json` empty =
  // the embedded TestToken artifact (its ERC20 part is the standard one).
  Token(eth::EthClient& eth, Address address, eth::TxSender* sender = nullptr,
        std::string_view abi_json = {});

  const Address& address() const { return address_; }
  const eth::ContractAbi& abi() const { return abi_; }

  // The token's views as values (views::TokenBalance, views::TokenAllowance),
  // as Marketplace's: view_request for a batch, view_result for its answer,
  // read for one eth_call. Throw std::invalid_argument for a marketplace view.
  eth::CallRequest view_request(const ViewCall& v, std::optional<Address> from = {}) const;
  ViewResult view_result(const ViewCall& v, const eth::EthClient::CallResult& answer) const;
  ViewResult read(const ViewCall& v, std::optional<Address> from, const eth::BlockTag& tag) const;

  Uint256 balance_of(const Address& who, const eth::BlockTag& tag = eth::BlockTag::latest());
  Uint256 allowance(const Address& owner, const Address& spender,
                    const eth::BlockTag& tag = eth::BlockTag::latest());
  Uint256 total_supply();

  // The approve transaction under `key` (required).
  eth::TxRequest approve_request(const Address& spender, const Uint256& amount,
                                 std::string key) const;
  // Send and wait; exactly once per key. Throw MarketError on a revert.
  eth::Receipt approve(const Address& spender, const Uint256& amount, std::string key);
  eth::Receipt transfer(const Address& to, const Uint256& amount, std::string key);
  // TestToken only: anyone may mint.
  eth::Receipt mint(const Address& to, const Uint256& amount, std::string key);

 private:
  eth::Receipt transact(std::string_view fn, const std::vector<eth::AbiValue>& args,
                        std::string key);

  eth::EthClient& eth_;
  Address address_;
  eth::TxSender* sender_;
  eth::ContractAbi abi_;
};

}  // namespace codex::market
