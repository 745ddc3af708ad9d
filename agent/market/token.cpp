#include "agent/market/token.h"

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

Uint256 Token::balance_of(const Address& who, const eth::BlockTag& tag) {
  return ContractIo(eth_, abi_, address_, sender_).view("balanceOf", {who}, tag).at(0).as_uint();
}

Uint256 Token::allowance(const Address& owner, const Address& spender, const eth::BlockTag& tag) {
  return ContractIo(eth_, abi_, address_, sender_)
      .view("allowance", {owner, spender}, tag)
      .at(0)
      .as_uint();
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
