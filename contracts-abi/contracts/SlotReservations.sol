// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import "./Sets.sol";
import "./Configuration.sol";
import "./Requests.sol";

// Reserve-before-fill: a bounded set of hosts per slot (spec §5.2 reserveSlot).
abstract contract SlotReservations {
  using Sets for AddressSet;

  error SlotReservations_ReservationNotAllowed();

  event SlotReservationsFull(RequestId indexed requestId, uint64 slotIndex);

  mapping(SlotId => AddressSet) internal _reservations;
  uint8 private immutable _maxReservations;

  constructor(SlotReservationsConfig memory config) {
    _maxReservations = config.maxReservations;
  }

  function slotState(SlotId id) public view virtual returns (SlotState);

  function reserveSlot(RequestId requestId, uint64 slotIndex) public {
    if (!canReserveSlot(requestId, slotIndex)) revert SlotReservations_ReservationNotAllowed();
    SlotId slotId = Requests.slotId(requestId, slotIndex);
    _reservations[slotId].add(msg.sender);
    if (_reservations[slotId].length() == _maxReservations) {
      emit SlotReservationsFull(requestId, slotIndex);
    }
  }

  function canReserveSlot(RequestId requestId, uint64 slotIndex) public view returns (bool) {
    SlotId slotId = Requests.slotId(requestId, slotIndex);
    SlotState state = slotState(slotId);
    AddressSet storage reserved = _reservations[slotId];
    return
      (state == SlotState.Free || state == SlotState.Repair) &&
      reserved.length() < _maxReservations &&
      !reserved.contains(msg.sender);
  }

  function _hasReservation(SlotId slotId, address host) internal view returns (bool) {
    return _reservations[slotId].contains(host);
  }

  function _clearReservations(SlotId slotId) internal {
    _reservations[slotId].clear();
  }
}
