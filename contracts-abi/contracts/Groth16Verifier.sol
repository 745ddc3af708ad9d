// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import "./Groth16.sol";

// Groth16 verifier on the BN254 precompiles (0x06 add, 0x07 mul, 0x08 pairing).
// The verifying key comes from the constructor; G2 coordinates use the
// (real, imag) = snarkjs (c0, c1) order and are swapped to EIP-197's
// (imag, real) order here. Every failure returns false, never reverts.
contract Groth16Verifier is IGroth16Verifier {
  uint256 private constant _Q = 21888242871839275222246405745257275088696311157297823662689037894645226208583;
  uint256 private constant _R = 21888242871839275222246405745257275088548364400416034343698204186575808495617;

  struct VerifyingKey {
    G1Point alpha1;
    G2Point beta2;
    G2Point gamma2;
    G2Point delta2;
    G1Point[] ic;
  }

  G1Point private _alpha1;
  G2Point private _beta2;
  G2Point private _gamma2;
  G2Point private _delta2;
  G1Point[] private _ic;

  constructor(VerifyingKey memory key) {
    _alpha1 = key.alpha1;
    _beta2 = key.beta2;
    _gamma2 = key.gamma2;
    _delta2 = key.delta2;
    for (uint256 i = 0; i < key.ic.length; i++) {
      _ic.push(key.ic[i]);
    }
  }

  function verify(Groth16Proof calldata proof, uint256[] calldata pubSignals) external view returns (bool) {
    if (pubSignals.length + 1 != _ic.length) return false;
    (bool ok, G1Point memory vkX) = _linearCombination(pubSignals);
    if (!ok) return false;
    return _pairingCheck(proof, vkX);
  }

  // vk_x = ic[0] + sum(pubSignals[i] * ic[i + 1])
  function _linearCombination(uint256[] calldata pubSignals) private view returns (bool, G1Point memory) {
    G1Point memory acc = _ic[0];
    for (uint256 i = 0; i < pubSignals.length; i++) {
      if (pubSignals[i] >= _R) return (false, acc);
      G1Point memory point = _ic[i + 1];
      bool ok;
      uint256[3] memory mulIn = [point.x, point.y, pubSignals[i]];
      uint256[4] memory addIn;
      assembly {
        ok := staticcall(gas(), 0x07, mulIn, 0x60, addIn, 0x40)
      }
      if (!ok) return (false, acc);
      addIn[2] = acc.x;
      addIn[3] = acc.y;
      uint256[2] memory sum;
      assembly {
        ok := staticcall(gas(), 0x06, addIn, 0x80, sum, 0x40)
      }
      if (!ok) return (false, acc);
      acc = G1Point(sum[0], sum[1]);
    }
    return (true, acc);
  }

  // e(-A, B) * e(alpha, beta) * e(vk_x, gamma) * e(C, delta) == 1
  function _pairingCheck(Groth16Proof calldata proof, G1Point memory vkX) private view returns (bool) {
    if (proof.a.y >= _Q) return false;
    uint256 negY = proof.a.y == 0 ? 0 : _Q - proof.a.y;
    uint256[24] memory input;
    _putPair(input, 0, G1Point(proof.a.x, negY), proof.b);
    _putPair(input, 6, _alpha1, _beta2);
    _putPair(input, 12, vkX, _gamma2);
    _putPair(input, 18, proof.c, _delta2);
    uint256[1] memory out;
    bool ok;
    assembly {
      ok := staticcall(gas(), 0x08, input, 0x300, out, 0x20)
    }
    return ok && out[0] == 1;
  }

  function _putPair(uint256[24] memory input, uint256 at, G1Point memory p, G2Point memory q) private pure {
    input[at] = p.x;
    input[at + 1] = p.y;
    input[at + 2] = q.x.imag;
    input[at + 3] = q.x.real;
    input[at + 4] = q.y.imag;
    input[at + 5] = q.y.real;
  }
}
