// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

// Unordered sets with O(1) add, remove and membership. Our own because
// OpenZeppelin 5.5's EnumerableSet needs mcopy (Cancun) and we target paris.

struct Bytes32Set {
  bytes32[] values;
  mapping(bytes32 => uint256) positions; // index + 1; 0 = absent
}

struct AddressSet {
  address[] values;
  mapping(address => uint256) positions; // index + 1; 0 = absent
}

library Sets {
  function add(Bytes32Set storage set, bytes32 value) internal returns (bool) {
    if (set.positions[value] != 0) return false;
    set.values.push(value);
    set.positions[value] = set.values.length;
    return true;
  }

  // Moves the last value into the removed one's place.
  function remove(Bytes32Set storage set, bytes32 value) internal returns (bool) {
    uint256 position = set.positions[value];
    if (position == 0) return false;
    uint256 last = set.values.length;
    if (position != last) {
      bytes32 moved = set.values[last - 1];
      set.values[position - 1] = moved;
      set.positions[moved] = position;
    }
    set.values.pop();
    delete set.positions[value];
    return true;
  }

  function add(AddressSet storage set, address value) internal returns (bool) {
    if (set.positions[value] != 0) return false;
    set.values.push(value);
    set.positions[value] = set.values.length;
    return true;
  }

  function contains(AddressSet storage set, address value) internal view returns (bool) {
    return set.positions[value] != 0;
  }

  function length(AddressSet storage set) internal view returns (uint256) {
    return set.values.length;
  }

  function clear(AddressSet storage set) internal {
    address[] storage values = set.values;
    for (uint256 i = 0; i < values.length; i++) {
      delete set.positions[values[i]];
    }
    delete set.values;
  }
}
