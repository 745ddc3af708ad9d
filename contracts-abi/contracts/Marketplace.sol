// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import "./Configuration.sol";
import "./Requests.sol";
import "./Proofs.sol";
import "./SlotReservations.sol";
import "./StateRetrieval.sol";
import "./Endian.sol";
import "./Groth16.sol";

// Storage marketplace: requests, slots, proofs, slashing, repair and payouts
// (spec §5, §8-§10). States are derived from block time where the spec says so.
contract Marketplace is SlotReservations, Proofs, StateRetrieval, Endian {
  using AskHelpers for Ask;

  error Marketplace_RepairRewardPercentageTooHigh();
  error Marketplace_SlashPercentageTooHigh();
  error Marketplace_MaximumSlashingTooHigh();
  error Marketplace_InvalidExpiry();
  error Marketplace_InvalidMaxSlotLoss();
  error Marketplace_InsufficientSlots();
  error Marketplace_InsufficientDuration();
  error Marketplace_InsufficientProofProbability();
  error Marketplace_InsufficientCollateral();
  error Marketplace_InsufficientReward();
  error Marketplace_InvalidClientAddress();
  error Marketplace_RequestAlreadyExists();
  error Marketplace_InvalidSlot();
  error Marketplace_InvalidCid();
  error Marketplace_SlotNotFree();
  error Marketplace_InvalidSlotHost();
  error Marketplace_AlreadyPaid();
  error Marketplace_TransferFailed();
  error Marketplace_UnknownRequest();
  error Marketplace_InvalidState();
  error Marketplace_StartNotBeforeExpiry();
  error Marketplace_SlotNotAcceptingProofs();
  error Marketplace_SlotIsFree();
  error Marketplace_ReservationRequired();
  error Marketplace_NothingToWithdraw();
  error Marketplace_DurationExceedsLimit();
  error Marketplace_ProofNotSubmittedByHost();

  event StorageRequested(RequestId requestId, Ask ask, uint64 expiry);
  event RequestFulfilled(RequestId indexed requestId);
  event RequestFailed(RequestId indexed requestId);
  event SlotFilled(RequestId indexed requestId, uint64 slotIndex);
  event SlotFreed(RequestId indexed requestId, uint64 slotIndex);
  event RequestCancelled(RequestId indexed requestId);

  struct RequestContext {
    RequestState state;
    uint256 fundsToReturnToClient; // the client's share if withdrawn now
    uint64 slotsFilled;
    uint64 startedAt;
    uint64 endsAt;
    uint64 expiresAt;
  }

  struct Slot {
    SlotState state;
    RequestId requestId;
    uint64 filledAt;
    uint64 slotIndex;
    uint256 currentCollateral; // returned to the host at payout, minus slashes
    address host;
  }

  struct ActiveSlot {
    Request request;
    uint64 slotIndex;
  }

  struct MarketplaceTotals {
    uint256 received;
    uint256 sent;
  }

  IERC20 private immutable _token;
  MarketplaceConfig private _config;

  mapping(RequestId => Request) private _requests;
  mapping(RequestId => RequestContext) internal _requestContexts;
  mapping(SlotId => Slot) internal _slots;
  MarketplaceTotals internal _marketplaceTotals;

  constructor(
    MarketplaceConfig memory config,
    IERC20 token_,
    IGroth16Verifier verifier
  ) SlotReservations(config.reservations) Proofs(config.proofs, verifier) {
    _token = token_;
    if (config.collateral.repairRewardPercentage > 100) revert Marketplace_RepairRewardPercentageTooHigh();
    if (config.collateral.slashPercentage > 100) revert Marketplace_SlashPercentageTooHigh();
    // uint8 product: above 255 it panics (0x11), as the spec says
    if (config.collateral.maxNumberOfSlashes * config.collateral.slashPercentage > 100) {
      revert Marketplace_MaximumSlashingTooHigh();
    }
    _config = config;
  }

  modifier requestIsKnown(RequestId requestId) {
    if (_requests[requestId].client == address(0)) revert Marketplace_UnknownRequest();
    _;
  }

  modifier slotIsNotFree(SlotId slotId) {
    if (_slots[slotId].state == SlotState.Free) revert Marketplace_SlotIsFree();
    _;
  }

  function configuration() public view returns (MarketplaceConfig memory) {
    return _config;
  }

  function token() public view returns (IERC20) {
    return _token;
  }

  function currentCollateral(SlotId slotId) public view returns (uint256) {
    return _slots[slotId].currentCollateral;
  }

  function requestStorage(Request calldata request) public {
    RequestId id = Requests.id(request);
    Ask calldata ask = request.ask;
    if (request.client != msg.sender) revert Marketplace_InvalidClientAddress();
    if (_requests[id].client != address(0)) revert Marketplace_RequestAlreadyExists();
    if (request.expiry == 0 || request.expiry >= ask.duration) revert Marketplace_InvalidExpiry();
    if (ask.slots == 0) revert Marketplace_InsufficientSlots();
    if (ask.maxSlotLoss > ask.slots) revert Marketplace_InvalidMaxSlotLoss();
    if (ask.duration == 0) revert Marketplace_InsufficientDuration();
    if (ask.proofProbability == 0) revert Marketplace_InsufficientProofProbability();
    if (ask.collateralPerByte == 0) revert Marketplace_InsufficientCollateral();
    if (ask.pricePerBytePerSecond == 0) revert Marketplace_InsufficientReward();
    if (request.content.cid.length == 0) revert Marketplace_InvalidCid();
    if (ask.duration > _config.requestDurationLimit) revert Marketplace_DurationExceedsLimit();

    _requests[id] = request;
    RequestContext storage context = _requestContexts[id];
    context.endsAt = uint64(block.timestamp) + ask.duration;
    context.expiresAt = uint64(block.timestamp) + request.expiry;
    _addToMyRequests(request.client, id);

    uint256 amount = Requests.maxPrice(ask);
    context.fundsToReturnToClient = amount;
    _marketplaceTotals.received += amount;
    emit StorageRequested(id, ask, context.expiresAt);
    _transferFrom(msg.sender, amount);
  }

  function fillSlot(
    RequestId requestId,
    uint64 slotIndex,
    Groth16Proof calldata proof
  ) public requestIsKnown(requestId) {
    Ask memory ask = _requests[requestId].ask;
    if (slotIndex >= ask.slots) revert Marketplace_InvalidSlot();
    SlotId slotId = Requests.slotId(requestId, slotIndex);
    if (!_hasReservation(slotId, msg.sender)) revert Marketplace_ReservationRequired();

    Slot storage slot = _slots[slotId];
    slot.requestId = requestId;
    slot.slotIndex = slotIndex;
    // with the request id stored, an expired or ended request reads as not free
    SlotState state = slotState(slotId);
    if (state != SlotState.Free && state != SlotState.Repair) revert Marketplace_SlotNotFree();

    slot.host = msg.sender;
    slot.filledAt = uint64(block.timestamp);
    _startRequiringProofs(slotId);
    _proofReceived(slotId, proof, _publicInputs(slotId));

    RequestContext storage context = _requestContexts[requestId];
    context.slotsFilled += 1;
    context.fundsToReturnToClient -= _slotPayout(requestId, slot.filledAt);

    uint256 collateralPerSlot = ask.collateralPerSlot();
    uint256 deposit = collateralPerSlot;
    if (state == SlotState.Repair) {
      deposit -= (collateralPerSlot * _config.collateral.repairRewardPercentage) / 100;
    }
    _marketplaceTotals.received += deposit;
    slot.currentCollateral = collateralPerSlot;
    _addToMySlots(msg.sender, slotId);
    slot.state = SlotState.Filled;
    emit SlotFilled(requestId, slotIndex);

    if (context.slotsFilled == ask.slots && context.state == RequestState.New) {
      context.state = RequestState.Started;
      context.startedAt = uint64(block.timestamp);
      emit RequestFulfilled(requestId);
    }
    _transferFrom(msg.sender, deposit);
  }

  function submitProof(SlotId id, Groth16Proof calldata proof) public requestIsKnown(_slots[id].requestId) {
    if (_slots[id].host != msg.sender) revert Marketplace_ProofNotSubmittedByHost();
    _proofReceived(id, proof, _publicInputs(id));
  }

  // [challenge, dataset root, slot index] as field elements (spec §11)
  function _publicInputs(SlotId id) private view returns (uint256[] memory inputs) {
    Slot storage slot = _slots[id];
    inputs = new uint256[](3);
    inputs[0] = _challengeToFieldElement(getChallenge(id));
    inputs[1] = _merkleRootToFieldElement(_requests[slot.requestId].content.merkleRoot);
    inputs[2] = slot.slotIndex;
  }

  // bytes 0..30 of the challenge as a little-endian integer
  function _challengeToFieldElement(bytes32 challenge) internal pure returns (uint256) {
    return uint256(_byteSwap(challenge)) & ((uint256(1) << 248) - 1);
  }

  // all 32 bytes of the root as a little-endian integer
  function _merkleRootToFieldElement(bytes32 merkleRoot) internal pure returns (uint256) {
    return uint256(_byteSwap(merkleRoot));
  }

  function canMarkProofAsMissing(SlotId slotId, Period period) public view {
    if (slotState(slotId) != SlotState.Filled) revert Marketplace_SlotNotAcceptingProofs();
    _canMarkProofAsMissing(slotId, period);
  }

  function markProofAsMissing(SlotId slotId, Period period) public {
    if (slotState(slotId) != SlotState.Filled) revert Marketplace_SlotNotAcceptingProofs();
    _markProofAsMissing(slotId, period);

    Slot storage slot = _slots[slotId];
    Ask memory ask = _requests[slot.requestId].ask;
    uint256 slashed = (ask.collateralPerSlot() * _config.collateral.slashPercentage) / 100;
    uint256 reward = (slashed * _config.collateral.validatorRewardPercentage) / 100;
    slot.currentCollateral -= slashed;
    _marketplaceTotals.sent += reward;
    if (missingProofs(slotId) >= _config.collateral.maxNumberOfSlashes) {
      _forciblyFreeSlot(slotId);
    }
    _transfer(msg.sender, reward);
  }

  function freeSlot(SlotId slotId) public {
    freeSlot(slotId, msg.sender, msg.sender);
  }

  function freeSlot(
    SlotId slotId,
    address rewardRecipient,
    address collateralRecipient
  ) public slotIsNotFree(slotId) {
    Slot storage slot = _slots[slotId];
    if (slot.host != msg.sender) revert Marketplace_InvalidSlotHost();
    SlotState state = slotState(slotId);
    if (state == SlotState.Paid) revert Marketplace_AlreadyPaid();

    if (state == SlotState.Finished) {
      _payoutSlot(slotId, rewardRecipient, collateralRecipient, false);
    } else if (state == SlotState.Cancelled) {
      _payoutSlot(slotId, rewardRecipient, collateralRecipient, true);
    } else if (state == SlotState.Failed) {
      _removeFromMySlots(msg.sender, slotId);
    } else if (state == SlotState.Filled) {
      // the host abandons the slot and loses its collateral
      _forciblyFreeSlot(slotId);
    }
  }

  // Frees a filled slot for repair; the host's pay returns to the client.
  function _forciblyFreeSlot(SlotId slotId) internal {
    Slot storage slot = _slots[slotId];
    RequestId requestId = slot.requestId;
    RequestContext storage context = _requestContexts[requestId];

    context.fundsToReturnToClient += _slotPayout(requestId, slot.filledAt);
    _removeFromMySlots(slot.host, slotId);
    _clearReservations(slotId);

    slot.state = SlotState.Repair;
    slot.filledAt = 0;
    slot.currentCollateral = 0;
    slot.host = address(0);
    context.slotsFilled -= 1;
    emit SlotFreed(requestId, slot.slotIndex);
    _resetMissingProofs(slotId);

    Ask storage ask = _requests[requestId].ask;
    uint256 slotsLost = ask.slots - context.slotsFilled;
    if (slotsLost > ask.maxSlotLoss && context.state == RequestState.Started) {
      context.state = RequestState.Failed;
      context.endsAt = uint64(block.timestamp) - 1;
      emit RequestFailed(requestId);
    }
  }

  // Pays a finished (until endsAt) or cancelled (until expiresAt) slot.
  function _payoutSlot(SlotId slotId, address rewardRecipient, address collateralRecipient, bool cancelled) private {
    Slot storage slot = _slots[slotId];
    RequestId requestId = slot.requestId;
    RequestContext storage context = _requestContexts[requestId];
    uint256 payout;
    if (cancelled) {
      payout = _slotPayout(requestId, slot.filledAt, context.expiresAt);
    } else {
      context.state = RequestState.Finished;
      _removeFromMyRequests(_requests[requestId].client, requestId);
      payout = _slotPayout(requestId, slot.filledAt);
    }
    _removeFromMySlots(slot.host, slotId);
    uint256 collateral = slot.currentCollateral;
    _marketplaceTotals.sent += payout + collateral;
    slot.state = SlotState.Paid;
    _transfer(rewardRecipient, payout);
    _transfer(collateralRecipient, collateral);
  }

  function withdrawFunds(RequestId requestId) public {
    withdrawFunds(requestId, msg.sender);
  }

  function withdrawFunds(RequestId requestId, address withdrawRecipient) public requestIsKnown(requestId) {
    Request storage request = _requests[requestId];
    RequestContext storage context = _requestContexts[requestId];
    if (request.client != msg.sender) revert Marketplace_InvalidClientAddress();
    RequestState state = requestState(requestId);
    if (state != RequestState.Cancelled && state != RequestState.Failed && state != RequestState.Finished) {
      revert Marketplace_InvalidState();
    }
    if (context.fundsToReturnToClient == 0) revert Marketplace_NothingToWithdraw();

    if (state == RequestState.Cancelled) {
      context.state = RequestState.Cancelled;
      emit RequestCancelled(requestId);
      // hosts keep only their pay up to expiry
      context.fundsToReturnToClient += context.slotsFilled * _slotPayout(requestId, context.expiresAt);
    } else if (state == RequestState.Failed) {
      context.fundsToReturnToClient = Requests.maxPrice(request.ask);
    } else {
      context.state = RequestState.Finished;
    }
    _removeFromMyRequests(request.client, requestId);

    uint256 amount = context.fundsToReturnToClient;
    _marketplaceTotals.sent += amount;
    context.fundsToReturnToClient = 0;
    _transfer(withdrawRecipient, amount);
  }

  function getActiveSlot(SlotId slotId) public view slotIsNotFree(slotId) returns (ActiveSlot memory) {
    Slot storage slot = _slots[slotId];
    return ActiveSlot(_requests[slot.requestId], slot.slotIndex);
  }

  function getRequest(RequestId requestId) public view requestIsKnown(requestId) returns (Request memory) {
    return _requests[requestId];
  }

  function getHost(SlotId slotId) public view returns (address) {
    return _slots[slotId].host;
  }

  function requestEnd(RequestId requestId) public view returns (uint64) {
    RequestState state = requestState(requestId);
    RequestContext storage context = _requestContexts[requestId];
    if (state == RequestState.New || state == RequestState.Started) return context.endsAt;
    if (state == RequestState.Cancelled) return context.expiresAt;
    uint64 nowTime = uint64(block.timestamp);
    return context.endsAt < nowTime ? context.endsAt : nowTime;
  }

  function requestExpiry(RequestId requestId) public view returns (uint64) {
    return _requestContexts[requestId].expiresAt;
  }

  function requestState(RequestId requestId) public view requestIsKnown(requestId) returns (RequestState) {
    RequestContext storage context = _requestContexts[requestId];
    if (context.state == RequestState.New && block.timestamp > context.expiresAt) {
      return RequestState.Cancelled;
    }
    if (
      (context.state == RequestState.New || context.state == RequestState.Started) && block.timestamp > context.endsAt
    ) {
      return RequestState.Finished;
    }
    return context.state;
  }

  function slotState(SlotId slotId) public view override(Proofs, SlotReservations) returns (SlotState) {
    Slot storage slot = _slots[slotId];
    if (RequestId.unwrap(slot.requestId) == 0) return SlotState.Free;
    if (slot.state == SlotState.Paid) return SlotState.Paid;
    RequestState state = requestState(slot.requestId);
    if (state == RequestState.Cancelled) return SlotState.Cancelled;
    if (state == RequestState.Finished) return SlotState.Finished;
    if (state == RequestState.Failed) return SlotState.Failed;
    return slot.state;
  }

  function slotProbability(SlotId slotId) public view override returns (uint256) {
    uint256 proofProbability = _requests[_slots[slotId].requestId].ask.proofProbability;
    return (proofProbability * (256 - _config.proofs.downtime)) / 256;
  }

  function _slotPayout(RequestId requestId, uint64 start) private view returns (uint256) {
    return _slotPayout(requestId, start, _requestContexts[requestId].endsAt);
  }

  // Host pay for hosting between start and end.
  function _slotPayout(RequestId requestId, uint64 start, uint64 end) private view returns (uint256) {
    if (start >= end) revert Marketplace_StartNotBeforeExpiry();
    return (end - start) * _requests[requestId].ask.pricePerSlotPerSecond();
  }

  function _transferFrom(address sender, uint256 amount) private {
    if (!_token.transferFrom(sender, address(this), amount)) revert Marketplace_TransferFailed();
  }

  function _transfer(address recipient, uint256 amount) private {
    if (!_token.transfer(recipient, amount)) revert Marketplace_TransferFailed();
  }
}
