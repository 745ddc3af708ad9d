#include "agent/market/market_error.h"

#include "agent/market/overloaded.h"

namespace codex::market {
namespace {

std::string format_value(const eth::AbiValue& v) {
  return std::visit(
      Overloaded{
          [](const eth::Uint256& x) { return x.to_dec(); },
          [](bool x) { return std::string(x ? "true" : "false"); },
          [](const eth::Address& x) { return x.hex(); },
          [](const eth::Bytes& x) { return eth::to_hex(x); },
          [](const std::string& x) { return "\"" + x + "\""; },
          [](const eth::AbiValue::List& x) { return "[" + format_error_arguments(x) + "]"; },
      },
      v.v);
}

std::string reason_of(const std::string& name, const std::string& arguments) {
  if (name.empty()) return "unknown error";
  return arguments.empty() ? name : name + "(" + arguments + ")";
}

}  // namespace

std::string format_error_arguments(const std::vector<eth::AbiValue>& args) {
  std::string out;
  for (const eth::AbiValue& a : args) {
    if (!out.empty()) out += ", ";
    out += format_value(a);
  }
  return out;
}

MarketError::MarketError(std::string name, std::string function, std::string arguments,
                         const std::string& context)
    : std::runtime_error("marketplace " + function + " reverted: " + reason_of(name, arguments) +
                         (context.empty() ? "" : " (" + context + ")")),
      name_(std::move(name)),
      function_(std::move(function)),
      arguments_(std::move(arguments)) {}

std::string MarketError::reason() const {
  return reason_of(name_, arguments_);
}

}  // namespace codex::market
