// codex-prover poseidon2 {perm, hash, compress}: Poseidon2 over BN254 Fr,
// values printed in decimal, one per line.
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "base/cli/unsigned_range.h"
#include "base/hex.h"
#include "prover/cli/commands.h"
#include "prover/poseidon2/bytes.h"
#include "prover/poseidon2/permutation.h"

namespace codex::prover::cli {

void add_poseidon2_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("poseidon2", "Poseidon2 (BN254, t = 3) permutation and hashes");
  cmd->require_subcommand(1);

  auto perm_args = std::make_shared<std::vector<std::string>>();
  auto* perm = cmd->add_subcommand("perm", "permute the state (A, B, C); prints the 3 lanes");
  perm->add_option("state", *perm_args, "three field elements (decimal or 0x hex, canonical)")
      ->required()
      ->expected(3);
  perm->callback([perm_args] {
    poseidon2::State s;
    for (size_t i = 0; i < 3; ++i)
      s[i] = Fr::from_string((*perm_args)[i]);
    poseidon2::permute(s);
    for (const Fr& x : s)
      std::cout << x.to_decimal() << "\n";
  });

  auto hex = std::make_shared<std::string>();
  auto* hash = cmd->add_subcommand("hash", "hash bytes (31-byte LE chunks, rate-2 sponge)");
  hash->add_option("--bytes", *hex, "the bytes in hex (optional 0x; may be empty)")->required();
  hash->callback([hex] {
    auto bytes = base::from_hex(*hex);
    std::cout << poseidon2::hash_bytes(bytes).to_decimal() << "\n";
  });

  auto xy = std::make_shared<std::vector<std::string>>();
  auto key = std::make_shared<uint64_t>(0);
  auto* comp =
      cmd->add_subcommand("compress", "keyed 2-to-1 compression: first lane of perm(X, Y, key)");
  comp->add_option("inputs", *xy, "two field elements")->required()->expected(2);
  comp->add_option("--key", *key, "key 0..3 (bit0 bottom layer, bit1 odd node)")
      ->check(base::cli::UnsignedRange(0, 3));
  comp->callback([xy, key] {
    Fr x = Fr::from_string((*xy)[0]), y = Fr::from_string((*xy)[1]);
    std::cout << poseidon2::compress(x, y, *key).to_decimal() << "\n";
  });
}

}  // namespace codex::prover::cli
