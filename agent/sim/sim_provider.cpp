#include "agent/sim/sim_provider.h"

namespace codex::sim {

namespace {

constexpr int kWalPages = 64;

store::DataDirOptions data_dir_options() {
  store::DataDirOptions dd;
  // Thousands of providers in one process, each with a few small tables.
  dd.database.max_idle_readers = 1;
  dd.database.writer_cache_kib = 512;
  dd.database.reader_cache_kib = 256;
  // Their files live in memory (/dev/shm) by default: a short WAL, truncated
  // at each checkpoint, keeps a provider's to some hundreds of KiB.
  dd.database.wal_autocheckpoint_pages = kWalPages;
  dd.database.journal_size_limit = 0;
  return dd;
}

store::RepoOptions repo_options(const store::DataDir& data, uint64_t capacity) {
  store::RepoOptions ro;
  ro.dir = data.repo_dir();
  ro.quota_bytes = capacity * 2;
  ro.storage = store::BlockStorage::kSqlite;  // no bytes are stored: no pack files
  return ro;
}

}  // namespace

void SimProvider::create_blank(const std::filesystem::path& dir) {
  auto data = store::DataDir::open(dir, data_dir_options());
  auto repo = store::Repo::open(data->database(), repo_options(*data, 0));
  sales::Availabilities availabilities(data->database(), *repo);
  sales::SaleRecords records(data->database());
}

SimProvider::SimProvider(market::MarketApi& market, std::unique_ptr<market::EventStream> events,
                         const ProviderSetup& setup, SlotSources sources, bool restart,
                         const std::vector<market::RequestId>& open_requests)
    : market_(market),
      setup_(setup),
      work_(setup.sales_seed, setup.faults, std::move(sources), setup.link),
      events_(std::move(events)) {
  if (!restart && !setup.blank.empty() && !std::filesystem::exists(setup.dir))
    std::filesystem::copy(setup.blank, setup.dir, std::filesystem::copy_options::recursive);
  data_ = store::DataDir::open(setup.dir, data_dir_options());
  repo_ = store::Repo::open(data_->database(), repo_options(*data_, setup.capacity));
  // The store lengthens the WAL for blocks written through it; none are here.
  data_->database().write([](base::sqlite::WriteTxn& t) {
    t.exec("PRAGMA wal_autocheckpoint=" + std::to_string(kWalPages) + ";");
  });
  availabilities_ = std::make_unique<sales::Availabilities>(data_->database(), *repo_);
  records_ = std::make_unique<sales::SaleRecords>(data_->database());
  ctx_.reset(
      new sales::SalesContext{market_, *availabilities_, *records_, work_, data_->database()});
  sales::SalesOptions so;
  so.seed = setup.sales_seed;
  sales_ = std::make_unique<sales::Sales>(*ctx_, so);

  if (restart) {
    sales_->start(open_requests);
    return;
  }
  sales::NewAvailability a;
  a.total_size = setup.capacity;
  a.duration = market_.configuration().request_duration_limit;
  a.min_price_per_byte_per_second = market::Uint256(1);
  a.total_collateral = market::Uint256(setup.capacity) * market::Uint256(100);
  availabilities_->create(a);
  sales_->start();
}

SimProvider::~SimProvider() {
  sales_.reset();
  events_.reset();
  ctx_.reset();
  records_.reset();
  availabilities_.reset();
  repo_.reset();
  data_.reset();
}

bool SimProvider::run() {
  bool acted = events_->poll([&](const market::DecodedEvent& e, base::sqlite::WriteTxn*) {
    sales_->handle(e.event);
  }) > 0;
  while (auto slot = sales_->take_due()) {
    sales_->stepped(*slot, sales_->step(*slot));
    acted = true;
  }
  return acted;
}

}  // namespace codex::sim
