#include "agent/market/contract_io.h"

#include <stdexcept>

#include "agent/eth/revert.h"
#include "agent/eth/rpc_error.h"
#include "contracts-abi/artifacts.h"

namespace codex::market {

MarketError::MarketError(std::string name, std::string function, const std::string& detail)
    : std::runtime_error("marketplace " + function +
                         " reverted: " + (name.empty() ? "unknown error" : name) +
                         (detail.empty() ? "" : " (" + detail + ")")),
      name_(std::move(name)),
      function_(std::move(function)) {}

MarketError decode_market_error(std::string_view what, std::span<const uint8_t> data,
                                const eth::ContractAbi& abi, const std::string& detail) {
  auto d = eth::decode_revert(data, {&abi, &erc20_abi()});
  return MarketError(d.reason || d.panic_code ? d.describe() : d.name, std::string(what), detail);
}

std::string artifact_json(std::string_view name) {
  auto a = contracts::find_artifact(name);
  if (!a)
    throw std::runtime_error("market: the " + std::string(name) +
                             " artifact is not embedded in this build");
  return std::string(*a);
}

const eth::ContractAbi& erc20_abi() {
  static const eth::ContractAbi abi = eth::ContractAbi::parse(artifact_json("TestToken"));
  return abi;
}

ContractIo::ContractIo(eth::EthClient& eth, const eth::ContractAbi& abi, eth::Address address,
                       eth::TxSender* sender)
    : eth_(eth), abi_(abi), address_(address), sender_(sender) {}

void ContractIo::throw_revert(std::string_view fn, std::span<const uint8_t> data,
                              const std::string& detail) const {
  throw decode_market_error(fn, data, abi_, detail);
}

std::vector<eth::AbiValue> ContractIo::view(std::string_view fn,
                                            const std::vector<eth::AbiValue>& args,
                                            const eth::BlockTag& tag,
                                            std::optional<eth::Address> from) const {
  eth::CallRequest c;
  c.from = from;
  c.to = address_;
  c.data = abi_.encode_call(fn, args);
  try {
    return abi_.decode_output(fn, eth_.call(c, tag));
  } catch (const eth::RpcError& e) {
    if (e.kind() != eth::RpcErrorKind::Reverted) throw;
    throw_revert(fn, e.revert_data(), "");
  }
}

eth::TxRequest ContractIo::request(std::string_view fn, const std::vector<eth::AbiValue>& args,
                                   unsigned margin, std::string key) const {
  eth::TxRequest req;
  req.to = address_;
  req.data = abi_.encode_call(fn, args);
  req.gas_margin_percent = margin;
  req.key = std::move(key);
  return req;
}

eth::Receipt ContractIo::transact(std::string_view fn, const std::vector<eth::AbiValue>& args,
                                  unsigned margin, std::string key) const {
  if (!sender_) throw std::logic_error("market: transactions need a TxSender");
  return send_checked(*sender_, request(fn, args, margin, std::move(key)), abi_, fn);
}

eth::Receipt send_checked(eth::TxSender& sender, const eth::TxRequest& req,
                          const eth::ContractAbi& abi, std::string_view what) {
  eth::Receipt r;
  try {
    r = sender.send(req);
  } catch (const eth::RpcError& e) {
    if (e.kind() != eth::RpcErrorKind::Reverted) throw;
    throw decode_market_error(what, e.revert_data(), abi, "at gas estimation");
  }
  if (!r.success)
    throw decode_market_error(what, sender.revert_data(r), abi,
                              "mined with status 0 in block " + std::to_string(r.block_number));
  return r;
}

}  // namespace codex::market
