#pragma once
// One simulated provider: the production provider role (Sales with its
// availabilities and persisted sale records in its own data directory) on a
// connection to the in-memory marketplace, stepped by the simulation's loop
// instead of the node's threads, with the faults drawn for it.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <vector>

#include "agent/market/market_api.h"
#include "agent/sales/availabilities.h"
#include "agent/sales/sale_records.h"
#include "agent/sales/sales.h"
#include "agent/sim/sim_slot_work.h"
#include "exchange/store/data_dir.h"
#include "exchange/store/repo.h"

namespace codex::sim {

struct ProviderSetup {
  std::filesystem::path dir;  // its data directory (created)
  // A data directory made by create_blank(): a new provider starts from a
  // copy of it instead of creating every table itself (none: it does).
  std::filesystem::path blank;
  uint64_t capacity = 0;  // bytes offered
  uint64_t sales_seed = 0;
  SlotWorkFaults faults;
  SimLink link;
};

class SimProvider {
 public:
  // Opens (or, after a crash, reopens) the provider's data directory and
  // starts its Sales: a new one offers its capacity; a restarted one resumes
  // its recorded sales and looks again at `open_requests` (what the node's
  // heard-requests table gives it). `events`: its Sales' stream of the
  // market's events (the simulation's leaves out proofs, which Sales ignores).
  SimProvider(market::MarketApi& market, std::unique_ptr<market::EventStream> events,
              const ProviderSetup& setup, SlotSources sources, bool restart = false,
              const std::vector<market::RequestId>& open_requests = {});
  ~SimProvider();

  // A data directory with every table a provider uses and nothing in them:
  // copying it is about 50 times cheaper than creating the tables, which is
  // most of the start-up of a network of thousands of providers.
  static void create_blank(const std::filesystem::path& dir);

  // Hears new events and steps every sale that is due. Returns whether any
  // event was heard or sale stepped.
  bool run();
  std::optional<uint64_t> next_wake() const { return sales_->next_wake(); }

  market::MarketApi& market() { return market_; }
  const ProviderSetup& setup() const { return setup_; }

 private:
  market::MarketApi& market_;
  ProviderSetup setup_;
  std::unique_ptr<store::DataDir> data_;
  std::unique_ptr<store::Repo> repo_;
  std::unique_ptr<sales::Availabilities> availabilities_;
  std::unique_ptr<sales::SaleRecords> records_;
  SimSlotWork work_;
  std::unique_ptr<sales::SalesContext> ctx_;
  std::unique_ptr<market::EventStream> events_;
  std::unique_ptr<sales::Sales> sales_;
};

}  // namespace codex::sim
