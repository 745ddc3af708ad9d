#include "agent/market/token.h"

#include <stdexcept>

#include "agent/market/contract_io.h"

namespace codex::market {
namespace {

constexpr unsigned kTokenMargin = 20;

}  // namespace

Token::Token(eth::EthClient& eth, Address address, eth::TxSender* sender, std::string_view abi_json)
    : eth_(eth),
      address_(address),
      sender_(sender),
      abi_(eth::ContractAbi::parse(abi_json.empty() ? artifact_json("TestToken")
                                                    : std::string(abi_json))) {}

eth::CallRequest Token::view_request(const ViewCall& v, std::optional<Address> from) const {
  const ContractIo io(eth_, abi_, address_, sender_);
  if (const auto* b = std::get_if<views::TokenBalance>(&v))
    return io.call_request("balanceOf", {b->who}, from);
  if (const auto* a = std::get_if<views::TokenAllowance>(&v))
    return io.call_request("allowance", {a->owner, a->spender}, from);
  throw std::invalid_argument(std::string("market: ") + function_name(v) +
                              " is a marketplace view, not a token one");
}

ViewResult Token::view_result(const ViewCall& v, const eth::EthClient::CallResult& answer) const {
  if (!std::holds_alternative<views::TokenBalance>(v) &&
      !std::holds_alternative<views::TokenAllowance>(v))
    throw std::invalid_argument(std::string("market: ") + function_name(v) +
                                " is a marketplace view, not a token one");
  try {
    const ContractIo io(eth_, abi_, address_, sender_);
    return ViewResult(io.outputs(function_name(v), answer).at(0).as_uint());
  } catch (const MarketError& e) {
    return ViewResult(e);
  }
}

ViewResult Token::read(const ViewCall& v, std::optional<Address> from,
                       const eth::BlockTag& tag) const {
  const ContractIo io(eth_, abi_, address_, sender_);
  return view_result(v, io.call(view_request(v, from), tag));
}

Uint256 Token::balance_of(const Address& who, const eth::BlockTag& tag) {
  return read(views::TokenBalance{who}, {}, tag).get<views::TokenBalance>();
}

Uint256 Token::allowance(const Address& owner, const Address& spender, const eth::BlockTag& tag) {
  return read(views::TokenAllowance{owner, spender}, {}, tag).get<views::TokenAllowance>();
}

Uint256 Token::total_supply() {
  return ContractIo(eth_, abi_, address_, sender_).view("totalSupply", {}).at(0).as_uint();
}

eth::TxRequest Token::approve_request(const Address& spender, const Uint256& amount,
                                      std::string key) const {
  return ContractIo(eth_, abi_, address_, sender_)
      .request("approve", {spender, amount}, kTokenMargin, std::move(key));
}

eth::Receipt Token::transact(std::string_view fn, const std::vector<eth::AbiValue>& args,
                             std::string key) {
  return ContractIo(eth_, abi_, address_, sender_).transact(fn, args, kTokenMargin, std::move(key));
}

eth::Receipt Token::approve(const Address& spender, const Uint256& amount, std::string key) {
  return transact("approve", {spender, amount}, std::move(key));
}
eth::Receipt Token::transfer(const Address& to, const Uint256& amount, std::string key) {
  return transact("transfer", {to, amount}, std::move(key));
}
eth::Receipt Token::mint(const Address& to, const Uint256& amount, std::string key) {
  return transact("mint", {to, amount}, std::move(key));
}

}  // namespace codex::market
