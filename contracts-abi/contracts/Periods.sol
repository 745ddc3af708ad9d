// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

type Period is uint64;

// Time divided into periods of secondsPerPeriod: period(t) = t / secondsPerPeriod.
contract Periods {
  error Periods_InvalidSecondsPerPeriod();

  uint64 internal immutable _secondsPerPeriod;

  constructor(uint64 secondsPerPeriod) {
    if (secondsPerPeriod == 0) revert Periods_InvalidSecondsPerPeriod();
    _secondsPerPeriod = secondsPerPeriod;
  }

  function _periodOf(uint64 timestamp) internal view returns (Period) {
    return Period.wrap(timestamp / _secondsPerPeriod);
  }

  function _blockPeriod() internal view returns (Period) {
    return _periodOf(uint64(block.timestamp));
  }

  function _periodEnd(Period period) internal view returns (uint64) {
    return (Period.unwrap(period) + 1) * _secondsPerPeriod;
  }
}
