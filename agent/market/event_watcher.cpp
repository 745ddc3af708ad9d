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

EventWatcher::EventWatcher(eth::EthClient& eth, base::sqlite::Database& db,
                           const Marketplace& market, std::string name, uint64_t start_block,
                           uint64_t confirmations)
    : market_(market),
      watcher_(eth, db, options_for(market, std::move(name), start_block, confirmations)) {}

size_t EventWatcher::poll(const Handler& handler) {
  size_t events = 0;
  watcher_.poll([&](const eth::Log& log, base::sqlite::WriteTxn& txn) {
    if (auto e = decode_event(market_.abi(), log)) {
      handler(*e, &txn);
      ++events;
    }
  });
  return events;
}

}  // namespace codex::market
