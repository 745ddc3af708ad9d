// The visitor of several lambdas for std::visit over the market's variants
// (MarketAction, MarketEvent).
#pragma once

namespace codex::market {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

}  // namespace codex::market
