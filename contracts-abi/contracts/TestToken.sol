// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import "@openzeppelin/contracts/token/ERC20/ERC20.sol";

// Payment and collateral token for local chains; anyone may mint.
contract TestToken is ERC20 {
  constructor() ERC20("TestToken", "TST") {}

  function mint(address holder, uint256 amount) public {
    _mint(holder, amount);
  }
}
