// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import "./Sets.sol";
import "./Requests.sol";

// Per-account lists of open requests (clients) and slots (hosts).
contract StateRetrieval {
  using Sets for Bytes32Set;

  mapping(address => Bytes32Set) private _requestsPerClient;
  mapping(address => Bytes32Set) private _slotsPerHost;

  function myRequests() public view returns (RequestId[] memory ids) {
    bytes32[] memory values = _requestsPerClient[msg.sender].values;
    // RequestId is bytes32: same memory layout
    assembly {
      ids := values
    }
  }

  function mySlots() public view returns (SlotId[] memory ids) {
    bytes32[] memory values = _slotsPerHost[msg.sender].values;
    assembly {
      ids := values
    }
  }

  function _addToMyRequests(address client, RequestId requestId) internal {
    _requestsPerClient[client].add(RequestId.unwrap(requestId));
  }

  function _removeFromMyRequests(address client, RequestId requestId) internal {
    _requestsPerClient[client].remove(RequestId.unwrap(requestId));
  }

  function _addToMySlots(address host, SlotId slotId) internal {
    _slotsPerHost[host].add(SlotId.unwrap(slotId));
  }

  function _removeFromMySlots(address host, SlotId slotId) internal {
    _slotsPerHost[host].remove(SlotId.unwrap(slotId));
  }
}
