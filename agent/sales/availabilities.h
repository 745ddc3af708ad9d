#pragma once
// The provider's availabilities and reservations (spec node.md §5.1), kept in
// the data directory's database next to the store's quota: every change that
// moves bytes between an availability and the quota commits in one
// transaction with the quota's change, so a killed node never leaks or
// double-books space.
//
// Quota accounting:
//   - an availability holds its totalSize reserved in the store's quota;
//   - a reservation takes slotSize of the availability's freeSize (and
//     slotSize · collateralPerByte of its remaining collateral);
//   - each stored batch of the slot's blocks moves their bytes from the
//     reservation (and the quota's reserved bytes) to the store's used bytes;
//   - removing a reservation gives the availability back the whole slot:
//     the bytes still reserved, plus the stored bytes, which are reserved in
//     the quota again (they stay stored until their expiry). When the quota
//     cannot take them again, the availability's totalSize shrinks by them
//     instead: it never promises space the quota does not hold.
//
// Thread-safety: all members may be called from any thread.
#include <functional>
#include <mutex>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "agent/sales/availability.h"
#include "agent/sales/sales_error.h"

namespace codex::base::sqlite {
class Database;
class WriteTxn;
}  // namespace codex::base::sqlite
namespace codex::store {
class Repo;
}

namespace codex::sales {

class Availabilities {
 public:
  // Creates or upgrades its tables; repo must keep its quota in db.
  Availabilities(base::sqlite::Database& db, store::Repo& repo);

  // Throws InvalidAvailability when totalSize, duration, minPrice or
  // totalCollateral is 0, until < 0, or the quota cannot hold totalSize.
  Availability create(const NewAvailability& a);
  // The rules of §5.1 (and the same zero checks as create): totalSize may not
  // go below the bytes in use (totalSize − freeSize); its change is reserved
  // in or released from the quota; a new totalCollateral moves the remaining
  // collateral by the same amount and may not take it below zero; until (if
  // not 0) may not be before a reservation's validUntil. Throws
  // UnknownAvailability or InvalidAvailability (nothing changed).
  Availability update(const Id& id, const AvailabilityPatch& patch);

  std::vector<Availability> all() const;  // in id order
  std::optional<Availability> get(const Id& id) const;
  // Throws UnknownAvailability.
  std::vector<Reservation> reservations(const Id& availability) const;
  std::vector<Reservation> all_reservations() const;
  std::optional<Reservation> reservation(const Id& id) const;

  // The first enabled availability, in id order, that takes the slot:
  // slotSize ≤ freeSize, duration ≤ its duration, collateralPerByte ≤
  // maxCollateralPerByte, price ≥ minPrice, and until 0 or ≥ the request's end.
  std::optional<Availability> find(const SlotAsk& ask) const;
  // Books the slot on the availability, checking again in the transaction.
  // Throws BytesOutOfBounds when it no longer takes the slot (another sale
  // took the bytes), UnknownAvailability, SalesError when this slot has a
  // reservation already.
  Reservation reserve(const Id& availability, const SlotAsk& ask, const market::RequestId& request,
                      uint64_t slot_index);
  // The same inside the caller's transaction (a sale records the reservation
  // with its own state in one commit).
  Reservation reserve(base::sqlite::WriteTxn& txn, const Id& availability, const SlotAsk& ask,
                      const market::RequestId& request, uint64_t slot_index);
  // `bytes` of the slot were stored: they leave the reservation and the
  // quota's reserved bytes (they are counted as used now). Returns the
  // reservation's remaining size. Throws UnknownReservation.
  uint64_t release_bytes(const Id& reservation, uint64_t bytes);
  // The sale is over: the slot's bytes go back to the availability (see the
  // top), returned collateral to its remaining collateral, and the
  // reservation is deleted. Returns false when there was no such reservation.
  bool remove(const Id& reservation, const Uint256& returned_collateral = {});
  // The same inside the caller's transaction; the "saved" listeners run after
  // its commit.
  bool remove(base::sqlite::WriteTxn& txn, const Id& reservation,
              const Uint256& returned_collateral = {});
  // The collateral a reservation booked (slot size · collateral per byte).
  std::optional<Uint256> booked_collateral(const Id& reservation) const;
  // At start: removes (as remove does) every reservation whose slot is not in
  // `active` (the host's slots on chain), giving back the collateral it had
  // booked (no collateral of a slot we do not host is on chain; the reference
  // keeps it booked). Returns how many went.
  size_t remove_all_except(std::span<const std::pair<market::RequestId, uint64_t>> active);

  // Called after a commit that lets an enabled availability take more than
  // before (created, enabled, or freeSize, duration, minPrice or remaining
  // collateral raised): the slot queue then looks at skipped slots again.
  // Runs on the thread that made the change, without locks held.
  void on_saved(std::function<void(const Availability&)> fn);

 private:
  void saved(const Availability& a) const;

  base::sqlite::Database& db_;
  store::Repo& repo_;
  mutable std::mutex listeners_mu_;
  std::vector<std::function<void(const Availability&)>> listeners_;
};

}  // namespace codex::sales
