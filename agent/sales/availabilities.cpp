#include "agent/sales/availabilities.h"

#include <sodium.h>

#include <algorithm>
#include <limits>
#include <set>
#include <string>

#include "base/error.h"
#include "base/hex.h"
#include "base/sqlite/database.h"
#include "base/sqlite/migrations.h"
#include "exchange/error.h"
#include "exchange/store/repo.h"

namespace codex::sales {
namespace {

using base::sqlite::Migration;
using base::sqlite::Reset;
using base::sqlite::Statement;
using base::sqlite::WriteTxn;

std::span<const Migration> migrations() {
  static const Migration kMigrations[] = {
      {1, R"SQL(
CREATE TABLE sales_availabilities (
  id BLOB PRIMARY KEY,
  total_size INTEGER NOT NULL,
  free_size INTEGER NOT NULL,
  duration INTEGER NOT NULL,
  min_price BLOB NOT NULL,
  total_collateral BLOB NOT NULL,
  remaining_collateral BLOB NOT NULL,
  enabled INTEGER NOT NULL,
  until INTEGER NOT NULL
);
CREATE TABLE sales_reservations (
  id BLOB PRIMARY KEY,
  availability_id BLOB NOT NULL REFERENCES sales_availabilities (id),
  slot_size INTEGER NOT NULL,
  size INTEGER NOT NULL,
  collateral BLOB NOT NULL,
  request_id BLOB NOT NULL,
  slot_index INTEGER NOT NULL,
  valid_until INTEGER NOT NULL,
  UNIQUE (request_id, slot_index)
);
CREATE INDEX sales_reservations_availability ON sales_reservations (availability_id);
)SQL"},
  };
  return kMigrations;
}

constexpr uint64_t kMaxStored = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());

Id random_id() {
  Id id;
  randombytes_buf(id.data(), id.size());
  return id;
}

std::string id_hex(const Id& id) {
  return base::to_hex(id);
}

template <size_t N>
std::array<uint8_t, N> fixed_blob(const Statement& s, int col, const char* what) {
  const std::string_view b = s.blob_view(col);
  if (b.size() != N) throw base::StorageError(std::string("sales: corrupt ") + what + " column");
  std::array<uint8_t, N> out;
  std::copy(b.begin(), b.end(), out.begin());
  return out;
}

Uint256 amount(const Statement& s, int col, const char* what) {
  return Uint256::from_be_bytes(fixed_blob<32>(s, col, what));
}

uint64_t u64(const Statement& s, int col) {
  const int64_t v = s.int64(col);
  if (v < 0) throw base::StorageError("sales: corrupt size column");
  return static_cast<uint64_t>(v);
}

int64_t stored(uint64_t v, const char* what) {
  if (v > kMaxStored) throw InvalidAvailability(std::string(what) + " is too large");
  return static_cast<int64_t>(v);
}

#define AVAILABILITY_COLUMNS                                                                 \
  "id, total_size, free_size, duration, min_price, total_collateral, remaining_collateral, " \
  "enabled, until"

Availability availability_row(const Statement& s) {
  Availability a;
  a.id = fixed_blob<32>(s, 0, "availability id");
  a.total_size = u64(s, 1);
  a.free_size = u64(s, 2);
  a.duration = u64(s, 3);
  a.min_price_per_byte_per_second = amount(s, 4, "min price");
  a.total_collateral = amount(s, 5, "total collateral");
  a.total_remaining_collateral = amount(s, 6, "remaining collateral");
  a.enabled = s.int64(7) != 0;
  a.until = s.int64(8);
  return a;
}

#define RESERVATION_COLUMNS \
  "id, availability_id, size, request_id, slot_index, valid_until, slot_size, collateral"

struct StoredReservation {
  Reservation r;
  uint64_t slot_size = 0;
  Uint256 collateral;
};

StoredReservation reservation_row(const Statement& s) {
  StoredReservation out;
  Reservation& r = out.r;
  r.id = fixed_blob<32>(s, 0, "reservation id");
  r.availability_id = fixed_blob<32>(s, 1, "availability id");
  r.size = u64(s, 2);
  r.request_id = fixed_blob<32>(s, 3, "request id");
  r.slot_index = u64(s, 4);
  r.valid_until = s.int64(5);
  out.slot_size = u64(s, 6);
  out.collateral = amount(s, 7, "reservation collateral");
  return out;
}

template <class Conn>
std::optional<Availability> load(Conn& c, const Id& id) {
  Statement& s = c.cached("SELECT " AVAILABILITY_COLUMNS " FROM sales_availabilities WHERE id = ?");
  Reset r(s);
  s.bind(1, std::span<const uint8_t>(id));
  if (!s.step()) return std::nullopt;
  return availability_row(s);
}

template <class Conn>
std::optional<StoredReservation> load_reservation(Conn& c, const Id& id) {
  Statement& s = c.cached("SELECT " RESERVATION_COLUMNS " FROM sales_reservations WHERE id = ?");
  Reset r(s);
  s.bind(1, std::span<const uint8_t>(id));
  if (!s.step()) return std::nullopt;
  return reservation_row(s);
}

void save(WriteTxn& txn, const Availability& a) {
  const auto price = a.min_price_per_byte_per_second.to_be_bytes();
  const auto total = a.total_collateral.to_be_bytes();
  const auto remaining = a.total_remaining_collateral.to_be_bytes();
  Statement& s = txn.cached("INSERT OR REPLACE INTO sales_availabilities (" AVAILABILITY_COLUMNS
                            ") VALUES (?,?,?,?,?,?,?,?,?)");
  Reset r(s);
  s.bind(1, std::span<const uint8_t>(a.id))
      .bind(2, stored(a.total_size, "totalSize"))
      .bind(3, stored(a.free_size, "freeSize"))
      .bind(4, stored(a.duration, "duration"))
      .bind(5, std::span<const uint8_t>(price))
      .bind(6, std::span<const uint8_t>(total))
      .bind(7, std::span<const uint8_t>(remaining))
      .bind(8, int64_t{a.enabled ? 1 : 0})
      .bind(9, a.until)
      .run();
}

void set_reservation_size(WriteTxn& txn, const Id& id, uint64_t size) {
  Statement& s = txn.cached("UPDATE sales_reservations SET size = ? WHERE id = ?");
  Reset r(s);
  s.bind(1, static_cast<int64_t>(size)).bind(2, std::span<const uint8_t>(id)).run();
}

void check_nonzero(const Availability& a) {
  if (a.total_size == 0) throw InvalidAvailability("Total size must be larger than zero");
  if (a.duration == 0) throw InvalidAvailability("Duration must be larger than zero");
  if (a.min_price_per_byte_per_second.is_zero())
    throw InvalidAvailability("Minimum price per byte per second must be larger than zero");
  if (a.total_collateral.is_zero())
    throw InvalidAvailability("Total collateral must be larger than zero");
  if (a.until < 0) throw InvalidAvailability("Cannot set until to a negative value");
}

void reserve_quota(store::Repo& repo, WriteTxn& txn, uint64_t bytes) {
  try {
    repo.in(txn).reserve(bytes);
  } catch (const QuotaError& e) {
    throw InvalidAvailability(std::string("Not enough storage quota: ") + e.what());
  }
}

bool takes(const Availability& a, const SlotAsk& ask) {
  return a.enabled && ask.slot_size <= a.free_size && ask.duration <= a.duration &&
         ask.collateral_per_byte <= a.max_collateral_per_byte() &&
         ask.price_per_byte_per_second >= a.min_price_per_byte_per_second &&
         (a.until == 0 || a.until >= ask.request_end);
}

// Gives the reservation's slot back to its availability and deletes it (the
// top of availabilities.h). Returns the availability as saved.
Availability give_back(store::Repo& repo, WriteTxn& txn, const StoredReservation& sr,
                       const Uint256& returned_collateral) {
  std::optional<Availability> a = load(txn, sr.r.availability_id);
  if (!a) throw base::StorageError("sales: reservation of an unknown availability");
  const uint64_t stored_bytes = sr.slot_size - std::min(sr.slot_size, sr.r.size);
  uint64_t back = sr.slot_size;
  if (stored_bytes > 0) {
    try {
      repo.in(txn).reserve(stored_bytes);
    } catch (const QuotaError&) {
      back -= stored_bytes;
      a->total_size -= std::min(a->total_size, stored_bytes);
    }
  }
  a->free_size = std::min(a->total_size, a->free_size + back);
  a->total_remaining_collateral = a->total_remaining_collateral + returned_collateral;
  save(txn, *a);
  Statement& s = txn.cached("DELETE FROM sales_reservations WHERE id = ?");
  Reset r(s);
  s.bind(1, std::span<const uint8_t>(sr.r.id)).run();
  return *a;
}

// Whether `now` lets the availability take more than `before` did.
bool grew(const std::optional<Availability>& before, const Availability& now) {
  if (!now.enabled) return false;
  if (!before || !before->enabled) return true;
  return now.free_size > before->free_size || now.duration > before->duration ||
         now.min_price_per_byte_per_second > before->min_price_per_byte_per_second ||
         now.total_remaining_collateral > before->total_remaining_collateral;
}

}  // namespace

Uint256 Availability::max_collateral_per_byte() const {
  if (free_size == 0) return total_remaining_collateral;
  return total_remaining_collateral.div_u64(free_size);
}

Availabilities::Availabilities(base::sqlite::Database& db, store::Repo& repo)
    : db_(db), repo_(repo) {
  db_.write(
      [](WriteTxn& txn) { base::sqlite::migrate(txn, "sales_availabilities", migrations()); });
}

Availability Availabilities::create(const NewAvailability& n) {
  Availability a;
  a.id = random_id();
  a.total_size = n.total_size;
  a.free_size = n.total_size;
  a.duration = n.duration;
  a.min_price_per_byte_per_second = n.min_price_per_byte_per_second;
  a.total_collateral = n.total_collateral;
  a.total_remaining_collateral = n.total_collateral;
  a.enabled = n.enabled;
  a.until = n.until;
  check_nonzero(a);
  stored(a.total_size, "totalSize");
  stored(a.duration, "duration");
  db_.write([&](WriteTxn& txn) {
    reserve_quota(repo_, txn, a.total_size);
    save(txn, a);
  });
  saved(a);
  return a;
}

Availability Availabilities::update(const Id& id, const AvailabilityPatch& p) {
  std::optional<Availability> before;
  Availability a = db_.write([&](WriteTxn& txn) {
    before = load(txn, id);
    if (!before) throw UnknownAvailability("Availability " + id_hex(id) + " not found");
    Availability a = *before;
    if (p.duration) a.duration = *p.duration;
    if (p.min_price_per_byte_per_second)
      a.min_price_per_byte_per_second = *p.min_price_per_byte_per_second;
    if (p.enabled) a.enabled = *p.enabled;
    if (p.until) a.until = *p.until;
    if (p.total_size) a.total_size = *p.total_size;
    if (p.total_collateral) a.total_collateral = *p.total_collateral;
    check_nonzero(a);
    stored(a.total_size, "totalSize");
    stored(a.duration, "duration");

    if (p.until && a.until > 0) {
      Statement& s =
          txn.cached("SELECT MAX(valid_until) FROM sales_reservations WHERE availability_id = ?");
      Reset r(s);
      s.bind(1, std::span<const uint8_t>(id));
      if (s.step() && !s.is_null(0) && s.int64(0) > a.until)
        throw InvalidAvailability(
            "Until parameter must be greater or equal to the longest "
            "currently hosted slot");
    }
    if (p.total_size && a.total_size != before->total_size) {
      const uint64_t used = before->total_size - before->free_size;
      if (a.total_size < used)
        throw InvalidAvailability(
            "New totalSize must be larger than current totalSize - "
            "freeSize, which is currently: " +
            std::to_string(used));
      if (a.total_size > before->total_size)
        reserve_quota(repo_, txn, a.total_size - before->total_size);
      else
        repo_.in(txn).release(before->total_size - a.total_size);
      a.free_size = a.total_size - used;
    }
    if (p.total_collateral && a.total_collateral != before->total_collateral) {
      // The collateral in use (total − remaining) stays in use.
      const Uint256 in_use = before->total_collateral - before->total_remaining_collateral;
      if (a.total_collateral < in_use)
        throw InvalidAvailability("New totalCollateral must be at least the collateral in use: " +
                                  in_use.to_dec());
      a.total_remaining_collateral = a.total_collateral - in_use;
    }
    save(txn, a);
    return a;
  });
  if (grew(before, a)) saved(a);
  return a;
}

std::vector<Availability> Availabilities::all() const {
  auto lease = db_.read();
  Statement& s =
      lease.cached("SELECT " AVAILABILITY_COLUMNS " FROM sales_availabilities ORDER BY id");
  Reset r(s);
  std::vector<Availability> out;
  while (s.step())
    out.push_back(availability_row(s));
  return out;
}

std::optional<Availability> Availabilities::get(const Id& id) const {
  auto lease = db_.read();
  return load(lease, id);
}

std::vector<Reservation> Availabilities::reservations(const Id& availability) const {
  auto lease = db_.read();
  if (!load(lease, availability))
    throw UnknownAvailability("Availability " + id_hex(availability) + " not found");
  Statement& s = lease.cached("SELECT " RESERVATION_COLUMNS
                              " FROM sales_reservations WHERE availability_id = ? ORDER BY id");
  Reset r(s);
  s.bind(1, std::span<const uint8_t>(availability));
  std::vector<Reservation> out;
  while (s.step())
    out.push_back(reservation_row(s).r);
  return out;
}

std::vector<Reservation> Availabilities::all_reservations() const {
  auto lease = db_.read();
  Statement& s = lease.cached("SELECT " RESERVATION_COLUMNS " FROM sales_reservations ORDER BY id");
  Reset r(s);
  std::vector<Reservation> out;
  while (s.step())
    out.push_back(reservation_row(s).r);
  return out;
}

std::optional<Reservation> Availabilities::reservation(const Id& id) const {
  auto lease = db_.read();
  auto sr = load_reservation(lease, id);
  if (!sr) return std::nullopt;
  return sr->r;
}

std::optional<Availability> Availabilities::find(const SlotAsk& ask) const {
  for (const Availability& a : all())
    if (takes(a, ask)) return a;
  return std::nullopt;
}

Reservation Availabilities::reserve(const Id& availability, const SlotAsk& ask,
                                    const market::RequestId& request, uint64_t slot_index) {
  return db_.write(
      [&](WriteTxn& txn) { return reserve(txn, availability, ask, request, slot_index); });
}

Reservation Availabilities::reserve(WriteTxn& txn, const Id& availability, const SlotAsk& ask,
                                    const market::RequestId& request, uint64_t slot_index) {
  {
    std::optional<Availability> a = load(txn, availability);
    if (!a) throw UnknownAvailability("Availability " + id_hex(availability) + " not found");
    Statement& dup =
        txn.cached("SELECT 1 FROM sales_reservations WHERE request_id = ? AND slot_index = ?");
    {
      Reset r(dup);
      dup.bind(1, std::span<const uint8_t>(request)).bind(2, stored(slot_index, "slotIndex"));
      if (dup.step())
        throw SalesError("Slot " + std::to_string(slot_index) + " of request " +
                         base::to_hex(request) + " is reserved already");
    }
    if (!takes(*a, ask))
      throw BytesOutOfBounds("Availability " + id_hex(availability) +
                             " no longer takes a slot of " + std::to_string(ask.slot_size) +
                             " bytes");
    Uint256 collateral;
    try {
      collateral = Uint256(ask.slot_size) * ask.collateral_per_byte;
      a->total_remaining_collateral = a->total_remaining_collateral - collateral;
    } catch (const std::overflow_error&) {
      throw BytesOutOfBounds("Availability " + id_hex(availability) +
                             " has not enough collateral left for the slot");
    }
    a->free_size -= ask.slot_size;
    save(txn, *a);
    Reservation res;
    res.id = random_id();
    res.availability_id = availability;
    res.size = ask.slot_size;
    res.request_id = request;
    res.slot_index = slot_index;
    res.valid_until = ask.request_end;
    const auto coll = collateral.to_be_bytes();
    Statement& s = txn.cached("INSERT INTO sales_reservations (" RESERVATION_COLUMNS
                              ") VALUES (?,?,?,?,?,?,?,?)");
    Reset r(s);
    s.bind(1, std::span<const uint8_t>(res.id))
        .bind(2, std::span<const uint8_t>(res.availability_id))
        .bind(3, stored(res.size, "slotSize"))
        .bind(4, std::span<const uint8_t>(res.request_id))
        .bind(5, static_cast<int64_t>(res.slot_index))
        .bind(6, res.valid_until)
        .bind(7, stored(ask.slot_size, "slotSize"))
        .bind(8, std::span<const uint8_t>(coll))
        .run();
    return res;
  }
}

uint64_t Availabilities::release_bytes(const Id& reservation, uint64_t bytes) {
  return db_.write([&](WriteTxn& txn) {
    auto sr = load_reservation(txn, reservation);
    if (!sr) throw UnknownReservation("Reservation " + id_hex(reservation) + " not found");
    const uint64_t released = std::min(bytes, sr->r.size);
    if (released == 0) return sr->r.size;
    set_reservation_size(txn, reservation, sr->r.size - released);
    repo_.in(txn).release(released);
    return sr->r.size - released;
  });
}

bool Availabilities::remove(const Id& reservation, const Uint256& returned_collateral) {
  return db_.write([&](WriteTxn& txn) { return remove(txn, reservation, returned_collateral); });
}

bool Availabilities::remove(WriteTxn& txn, const Id& reservation,
                            const Uint256& returned_collateral) {
  auto sr = load_reservation(txn, reservation);
  if (!sr) return false;
  const std::optional<Availability> before = load(txn, sr->r.availability_id);
  const Availability after = give_back(repo_, txn, *sr, returned_collateral);
  if (grew(before, after)) txn.after_release([this, after] { saved(after); });
  return true;
}

std::optional<Uint256> Availabilities::booked_collateral(const Id& reservation) const {
  auto lease = db_.read();
  auto sr = load_reservation(lease, reservation);
  if (!sr) return std::nullopt;
  return sr->collateral;
}

size_t Availabilities::remove_all_except(
    std::span<const std::pair<market::RequestId, uint64_t>> active) {
  const std::set<std::pair<market::RequestId, uint64_t>> keep(active.begin(), active.end());
  size_t removed = 0;
  for (const Reservation& r : all_reservations()) {
    if (keep.contains({r.request_id, r.slot_index})) continue;
    std::optional<Availability> before, after;
    db_.write([&](WriteTxn& txn) {
      auto sr = load_reservation(txn, r.id);
      if (!sr) return;
      before = load(txn, sr->r.availability_id);
      // The chain holds no collateral of ours for a slot we do not host.
      after = give_back(repo_, txn, *sr, sr->collateral);
    });
    if (!after) continue;
    ++removed;
    if (grew(before, *after)) saved(*after);
  }
  return removed;
}

void Availabilities::on_saved(std::function<void(const Availability&)> fn) {
  std::lock_guard lock(listeners_mu_);
  listeners_.push_back(std::move(fn));
}

void Availabilities::saved(const Availability& a) const {
  std::vector<std::function<void(const Availability&)>> fns;
  {
    std::lock_guard lock(listeners_mu_);
    fns = listeners_;
  }
  for (const auto& fn : fns)
    fn(a);
}

}  // namespace codex::sales
