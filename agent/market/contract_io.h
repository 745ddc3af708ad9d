// Calls and transactions on one contract through its ABI, shared by the market
// facades: eth_call views (one at a time, or prepared for a batch), journaled
// transactions (each with its idempotency key) with a gas margin, and reverts
// turned into MarketError by decoding the revert data — name and arguments —
// against the contract's errors and the ERC20 errors that bubble up from the
// token (spec §3.4, §7).
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
// errors: the error's name and its arguments (format_error_arguments);
// `context` ("at gas estimation") goes into the message only.
MarketError decode_market_error(std::string_view what, std::span<const uint8_t> data,
                                const eth::ContractAbi& abi, const std::string& context);

// Thread-safety: that of the EthClient and the sender.
class ContractIo {
 public:
  // `eth`, `abi` (and `sender` when given) must outlive this object.
  ContractIo(eth::EthClient& eth, const eth::ContractAbi& abi, eth::Address address,
             eth::TxSender* sender);

  // fn(args) with one eth_call at `tag`: its outputs. Throws MarketError on a
  // revert, eth::RpcError on other failures, eth::AbiError for return data
  // that does not decode.
  std::vector<eth::AbiValue> view(std::string_view fn, const std::vector<eth::AbiValue>& args,
                                  const eth::BlockTag& tag = eth::BlockTag::latest(),
                                  std::optional<eth::Address> from = std::nullopt) const;

  // The pieces of view(), for callers that send many calls in one batch
  // (EthClient::call_batch):
  // the eth_call of fn(args) on this contract, from `from`;
  eth::CallRequest call_request(std::string_view fn, const std::vector<eth::AbiValue>& args,
                                std::optional<eth::Address> from = std::nullopt) const;
  // one eth_call at `tag`, answered as call_batch answers each call (a revert
  // is an answer, not a throw); throws eth::RpcError for other failures;
  eth::EthClient::CallResult call(const eth::CallRequest& req, const eth::BlockTag& tag) const;
  // fn's outputs from such an answer: throws MarketError for a revert,
  // eth::RpcError (Node) for a call that failed without reverting,
  // eth::AbiError for return data that does not decode.
  std::vector<eth::AbiValue> outputs(std::string_view fn,
                                     const eth::EthClient::CallResult& answer) const;

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
                                 const std::string& context) const;

  const eth::Address& address() const { return address_; }
  const eth::ContractAbi& abi() const { return abi_; }
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
