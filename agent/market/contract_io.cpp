#include "agent/market/contract_io.h"

#include <stdexcept>

#include "agent/eth/revert.h"
#include "agent/eth/rpc_error.h"
#include "contracts-abi/artifacts.h"

namespace codex::market {

MarketError decode_market_error(std::string_view what, std::span<const uint8_t> data,
                                const eth::ContractAbi& abi, const std::string& context) {
  auto d = eth::decode_revert(data, {&abi, &erc20_abi()});
  // Error(string) and Panic(uint256) carry their argument in the name ("Panic(0x11)").
  if (d.reason || d.panic_code) return MarketError(d.describe(), std::string(what), "", context);
  return MarketError(d.name, std::string(what), format_error_arguments(d.args), context);
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
                              const std::string& context) const {
  throw decode_market_error(fn, data, abi_, context);
}

eth::CallRequest ContractIo::call_request(std::string_view fn,
                                          const std::vector<eth::AbiValue>& args,
                                          std::optional<eth::Address> from) const {
  eth::CallRequest c;
  c.from = from;
  c.to = address_;
  c.data = abi_.encode_call(fn, args);
  return c;
}

eth::EthClient::CallResult ContractIo::call(const eth::CallRequest& req,
                                            const eth::BlockTag& tag) const {
  eth::EthClient::CallResult out;
  try {
    out.output = eth_.call(req, tag);
  } catch (const eth::RpcError& e) {
    if (e.kind() != eth::RpcErrorKind::Reverted) throw;
    out.error = e.what();
    out.reverted = true;
    out.revert_data = e.revert_data();
  }
  return out;
}

std::vector<eth::AbiValue> ContractIo::outputs(std::string_view fn,
                                               const eth::EthClient::CallResult& answer) const {
  if (answer.output) return abi_.decode_output(fn, *answer.output);
  if (answer.reverted) throw_revert(fn, answer.revert_data, "");
  throw eth::RpcError(eth::RpcErrorKind::Node, "eth_call " + std::string(fn),
                      answer.error.value_or("failed without an error message"));
}

std::vector<eth::AbiValue> ContractIo::view(std::string_view fn,
                                            const std::vector<eth::AbiValue>& args,
                                            const eth::BlockTag& tag,
                                            std::optional<eth::Address> from) const {
  return outputs(fn, call(call_request(fn, args, from), tag));
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
