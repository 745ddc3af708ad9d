// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

// Marketplace configuration, passed to the constructor and returned by
// configuration(). Field order is ABI tuple order (spec §2).

struct MarketplaceConfig {
  CollateralConfig collateral;
  ProofConfig proofs;
  SlotReservationsConfig reservations;
  uint64 requestDurationLimit;
}

struct CollateralConfig {
  uint8 repairRewardPercentage; // share of collateral a repairing host gets back on top
  uint8 maxNumberOfSlashes; // missed proofs after which a slot is forcibly freed
  uint8 slashPercentage; // share of collateralPerSlot slashed per missed proof
  uint8 validatorRewardPercentage; // share of the slashed amount paid to the validator
}

struct ProofConfig {
  uint64 period; // seconds per period
  uint64 timeout; // seconds after a period's end during which it can be marked missing
  uint8 downtime; // blocks after a challenge block with no proof demanded
  uint8 downtimeProduct; // pointer shift per period
  string zkeyHash; // informational only
}

struct SlotReservationsConfig {
  uint8 maxReservations;
}
