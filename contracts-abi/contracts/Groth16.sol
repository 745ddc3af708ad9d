// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

// BN254 points as the marketplace ABI carries them (spec §2, §11).

struct G1Point {
  uint256 x;
  uint256 y;
}

// value = real + i * imag; (real, imag) = snarkjs (c0, c1)
struct Fp2Element {
  uint256 real;
  uint256 imag;
}

struct G2Point {
  Fp2Element x;
  Fp2Element y;
}

struct Groth16Proof {
  G1Point a;
  G2Point b;
  G1Point c;
}

interface IGroth16Verifier {
  function verify(Groth16Proof calldata proof, uint256[] calldata pubSignals) external view returns (bool);
}
