// Calls and transactions on one contract through its ABI, shared by the market
// facades: eth_call views, journaled transactions (each with its idempotency
// key) with a gas margin, and reverts turned into MarketError by decoding the
// revert data against the contract's errors and the ERC20 errors that bubble up
// from the token (spec §3.4, §7).
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "agent/eth/contract_abi.h"
#include "agent/eth/eth_client.h"
#include "agent/eth/tx_sender.h"
#include "agent/market/market_error.h"

namespace codex::market {

// The ABI of an embedded artifact (contracts-abi/artifacts); throws
// std::runtime_error when it is not embedded in this build.
std::string artifact_json(std::string_view name);

// OpenZeppelin's ERC20 errors (from the embedded TestToken artifact). Thread-safe.
const eth::ContractAbi& erc20_abi();

// MarketError for revert `data` of `what`, decoded against `abi` then the ERC20
// errors.
MarketError decode_market_error(std::string_view what, std::span<const uint8_t> data,
                                const eth::ContractAbi& abi, const std::string& detail);

class ContractIo {
 public:
  // `eth`, `abi` (and `sender` when given) must outlive this object.
  ContractIo(eth::EthClient& eth, const eth::ContractAbi& abi, eth::Address address,
             eth::TxSender* sender);

  std::vector<eth::AbiValue> view(std::string_view fn, const std::vector<eth::AbiValue>& args,
                                  const eth::BlockTag& tag = eth::BlockTag::latest(),
                                  std::optional<eth::Address> from = std::nullopt) const;
  // The transaction calling `fn` on this contract under idempotency `key`.
  eth::TxRequest request(std::string_view fn, const std::vector<eth::AbiValue>& args,
                         unsigned gas_margin_percent, std::string key) const;
  // Sends request(...) and waits for the receipt; throws MarketError on a
  // revert (at estimation, or mined with status 0), std::logic_error without a
  // sender.
  eth::Receipt transact(std::string_view fn, const std::vector<eth::AbiValue>& args,
                        unsigned gas_margin_percent, std::string key) const;

  // Decodes `data` against the contract's errors, then the ERC20 errors.
  [[noreturn]] void throw_revert(std::string_view fn, std::span<const uint8_t> data,
                                 const std::string& detail) const;

  const eth::Address& address() const { return address_; }
  eth::TxSender* sender() const { return sender_; }

 private:
  eth::EthClient& eth_;
  const eth::ContractAbi& abi_;
  eth::Address address_;
  eth::TxSender* sender_;
};

// Sends `req` and returns the receipt; on a revert decodes it against `abi` and
// the ERC20 errors and throws MarketError naming `what`. A key journaled before
// returns that transaction's receipt (or its revert).
eth::Receipt send_checked(eth::TxSender& sender, const eth::TxRequest& req,
                          const eth::ContractAbi& abi, std::string_view what);

}  // namespace codex::market
