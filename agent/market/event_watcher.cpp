#include "agent/market/event_watcher.h"

namespace codex::market {
namespace {

eth::LogWatcherOptions options_for(const Marketplace& market, std::string name, uint64_t start,
                                   uint64_t confirmations) {
  eth::LogWatcherOptions o;
  o.name = std::move(name);
  o.filter.addresses = {market.address()};
  o.start_block = start;
  o.confirmations = confirmations;
  return o;
}

}  // namespace

EventWatcher::EventWatcher(eth::EthClient& eth, sqlite3* db, const Marketplace& market,
                           std::string name, uint64_t start_block, Handler handler,
                           uint64_t confirmations)
    : watcher_(eth, db, options_for(market, std::move(name), start_block, confirmations),
               [&market, handler = std::move(handler)](const eth::Log& log) {
                 if (auto e = decode_event(market.abi(), log)) handler(*e);
               }) {}

}  // namespace codex::market
