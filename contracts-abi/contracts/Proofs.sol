// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import "./Configuration.sol";
import "./Requests.sol";
import "./Periods.sol";
import "./Groth16.sol";

// Proof requirements (pointer, challenge, probability) and proof bookkeeping
// per slot and period (spec §9).
abstract contract Proofs is Periods {
  error Proofs_InsufficientBlockHeight();
  error Proofs_InvalidProof();
  error Proofs_ProofAlreadySubmitted();
  error Proofs_PeriodNotEnded();
  error Proofs_ValidationTimedOut();
  error Proofs_ProofNotMissing();
  error Proofs_ProofNotRequired();
  error Proofs_ProofAlreadyMarkedMissing();

  event ProofSubmitted(SlotId id);

  uint64 private immutable _timeout;
  uint8 private immutable _downtime;
  uint8 private immutable _downtimeProduct;
  IGroth16Verifier private immutable _verifier;

  mapping(SlotId => uint64) private _slotStarts;
  mapping(SlotId => uint64) private _missed;
  mapping(SlotId => mapping(Period => bool)) private _received;
  mapping(SlotId => mapping(Period => bool)) private _missing;

  constructor(ProofConfig memory config, IGroth16Verifier verifier) Periods(config.period) {
    // the challenge reads a block hash up to 256 blocks back
    if (block.number <= 256) revert Proofs_InsufficientBlockHeight();
    _timeout = config.timeout;
    _downtime = config.downtime;
    _downtimeProduct = config.downtimeProduct;
    _verifier = verifier;
  }

  function slotState(SlotId id) public view virtual returns (SlotState);

  function slotProbability(SlotId id) public view virtual returns (uint256);

  function missingProofs(SlotId slotId) public view returns (uint64) {
    return _missed[slotId];
  }

  function _resetMissingProofs(SlotId slotId) internal {
    _missed[slotId] = 0;
  }

  function _startRequiringProofs(SlotId id) internal {
    _slotStarts[id] = uint64(block.timestamp);
  }

  function _getPointer(SlotId id, Period period) internal view returns (uint8) {
    uint256 blockNumber = block.number % 256;
    uint256 periodNumber = (uint256(Period.unwrap(period)) * _downtimeProduct) % 256;
    uint256 idOffset = uint256(SlotId.unwrap(id)) % 256;
    return uint8((blockNumber + periodNumber + idOffset) % 256);
  }

  function getPointer(SlotId id) public view returns (uint8) {
    return _getPointer(id, _blockPeriod());
  }

  function _getChallenge(uint8 pointer) internal view returns (bytes32) {
    bytes32 hash = blockhash(block.number - 1 - pointer);
    assert(uint256(hash) != 0);
    return keccak256(abi.encode(hash));
  }

  function _getChallenge(SlotId id, Period period) internal view returns (bytes32) {
    return _getChallenge(_getPointer(id, period));
  }

  function getChallenge(SlotId id) public view returns (bytes32) {
    return _getChallenge(id, _blockPeriod());
  }

  function _getProofRequirement(SlotId id, Period period) internal view returns (bool isRequired, uint8 pointer) {
    if (slotState(id) != SlotState.Filled) return (false, 0);
    if (Period.unwrap(period) <= Period.unwrap(_periodOf(_slotStarts[id]))) return (false, 0);
    pointer = _getPointer(id, period);
    bytes32 challenge = _getChallenge(pointer);
    uint256 probability = slotProbability(id);
    isRequired = probability == 0 || uint256(challenge) % probability == 0;
  }

  function _isProofRequired(SlotId id, Period period) internal view returns (bool) {
    (bool isRequired, uint8 pointer) = _getProofRequirement(id, period);
    return isRequired && pointer >= _downtime;
  }

  function isProofRequired(SlotId id) public view returns (bool) {
    return _isProofRequired(id, _blockPeriod());
  }

  function willProofBeRequired(SlotId id) public view returns (bool) {
    (bool isRequired, uint8 pointer) = _getProofRequirement(id, _blockPeriod());
    return isRequired && pointer < _downtime;
  }

  // Verifies a proof for the current period and records it.
  function _proofReceived(SlotId id, Groth16Proof calldata proof, uint256[] memory pubSignals) internal {
    Period period = _blockPeriod();
    if (_received[id][period]) revert Proofs_ProofAlreadySubmitted();
    if (!_verifier.verify(proof, pubSignals)) revert Proofs_InvalidProof();
    _received[id][period] = true;
    emit ProofSubmitted(id);
  }

  function _canMarkProofAsMissing(SlotId id, Period period) internal view {
    uint64 end = _periodEnd(period);
    if (end >= block.timestamp) revert Proofs_PeriodNotEnded();
    if (block.timestamp >= end + _timeout) revert Proofs_ValidationTimedOut();
    if (_received[id][period]) revert Proofs_ProofNotMissing();
    if (!_isProofRequired(id, period)) revert Proofs_ProofNotRequired();
    if (_missing[id][period]) revert Proofs_ProofAlreadyMarkedMissing();
  }

  function _markProofAsMissing(SlotId id, Period period) internal {
    _canMarkProofAsMissing(id, period);
    _missing[id][period] = true;
    _missed[id] += 1;
  }
}
