// codex-prover: the proving library on the command line.
//   codex-prover poseidon2 perm A B C
//   codex-prover poseidon2 hash --bytes HEX
//   codex-prover poseidon2 compress X Y [--key K]
//   codex-prover input --fake-data --seed S ... --out input.json
//   codex-prover input --blocks DIR ... --out input.json
//   codex-prover r1cs --nsamples N [--depth ... --maxslots ...] --out circuit.r1cs
//   codex-prover witness input.json out.wtns [--depth ... --maxslots ...]
//   codex-prover setup circuit.r1cs out.zkey --vk vk.json [--seed S]   (development key)
//   codex-prover prove key.zkey in.wtns proof.json public.json
//   codex-prover verify vk.json public.json proof.json
//   codex-prover info FILE
#include <CLI/CLI.hpp>
#include <iostream>

#include "prover/cli/commands.h"

int main(int argc, char** argv) {
  CLI::App app{
      "codex-prover: Codex storage proofs (Poseidon2, slot trees, sampling, circuit inputs)"};
  app.require_subcommand(1);
  codex::prover::cli::add_poseidon2_command(app);
  codex::prover::cli::add_input_command(app);
  codex::prover::cli::add_r1cs_command(app);
  codex::prover::cli::add_witness_command(app);
  codex::prover::cli::add_groth16_commands(app);
  codex::prover::cli::add_info_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const std::exception& e) {
    std::cerr << "codex-prover: error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
