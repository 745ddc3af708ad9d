// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import "./Groth16.sol";

// Development verifier: accepts every proof except the all-zero one.
contract TestVerifier is IGroth16Verifier {
  function verify(Groth16Proof calldata proof, uint256[] calldata) external pure returns (bool) {
    return
      (proof.a.x | proof.a.y | proof.b.x.real | proof.b.x.imag | proof.b.y.real | proof.b.y.imag | proof.c.x | proof.c.y) !=
      0;
  }
}
