// Transaction signing and serialisation.
#include <gtest/gtest.h>

#include "agent/eth/transaction.h"

namespace codex::eth {
namespace {

TEST(LegacyTx, Eip155ExampleSignsExactly) {
  // The worked example of EIP-155.
  auto key =
      PrivateKey::from_hex("0x4646464646464646464646464646464646464646464646464646464646464646");
  LegacyTx tx;
  tx.chain_id = 1;
  tx.nonce = 9;
  tx.gas_price = Uint256(20000000000);
  tx.gas_limit = 21000;
  tx.to = Address::parse("0x3535353535353535353535353535353535353535");
  tx.value = Uint256::from_string("1000000000000000000");
  EXPECT_EQ(to_hex(signing_hash(tx)),
            "0xdaf5a779ae972f972197303d7b574746c7ef83eadac0f2791ad23db92e4c8e53");
  SignedTx s = sign(tx, key);
  EXPECT_EQ(to_hex(s.raw),
            "0xf86c098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a7640000"
            "8025a028ef61340bd939bc"
            "2195fe537567866003e1a15d3c71ff63e1590620aa636276a067cbe9d8997f761aecb703304b3800ccf555"
            "c9f3dc64214b297fb1966a3b6d83");
  SignedTx back = parse_signed(s.raw);
  EXPECT_EQ(back.from, key.address());
  EXPECT_EQ(back.nonce, 9u);
  EXPECT_EQ(back.hash, s.hash);
}

TEST(Eip1559Tx, SignsAndRecovers) {
  auto key =
      PrivateKey::from_hex("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");
  Eip1559Tx tx;
  tx.chain_id = 31337;
  tx.nonce = 5;
  tx.max_priority_fee_per_gas = Uint256(1000000000);
  tx.max_fee_per_gas = Uint256(3000000000);
  tx.gas_limit = 50000;
  tx.to = Address::parse("0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
  tx.value = Uint256(12345);
  tx.data = {0xde, 0xad};
  SignedTx s = sign(tx, key);
  EXPECT_EQ(s.raw[0], 0x02);
  SignedTx back = parse_signed(s.raw);
  EXPECT_EQ(back.from, key.address());
  EXPECT_EQ(back.nonce, 5u);
  tx.max_priority_fee_per_gas = Uint256(4000000000);
  EXPECT_THROW(sign(tx, key), std::invalid_argument);
}

TEST(ParseSigned, RejectsMalformedRawTransactions) {
  for (const char* bad : {"0x", "0x03c0", "0x02c0", "0x02", "0xc0", "0x01c0", "0x7f"})
    EXPECT_ANY_THROW(parse_signed(from_hex(bad))) << bad;
  // Flip a byte inside a valid transaction: the sender no longer matches (or it fails).
  auto key =
      PrivateKey::from_hex("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");
  Eip1559Tx tx;
  tx.chain_id = 1;
  tx.gas_limit = 21000;
  SignedTx s = sign(tx, key);
  Bytes raw = s.raw;
  raw[5] ^= 1;
  try {
    EXPECT_NE(parse_signed(raw).from, key.address());
  } catch (const std::exception&) {
  }
}

}  // namespace
}  // namespace codex::eth
