// Subcommands of codex-prover. Each add_* registers its subcommand on the app;
// the callback runs it and throws on error (main prints the message and exits
// with status 1).
#pragma once

#include <CLI/CLI.hpp>

namespace codex::prover::cli {

void add_poseidon2_command(CLI::App& app);
void add_input_command(CLI::App& app);
void add_r1cs_command(CLI::App& app);
void add_witness_command(CLI::App& app);
// setup, prove, verify (groth16_cmds.cpp).
void add_groth16_commands(CLI::App& app);
void add_info_command(CLI::App& app);

}  // namespace codex::prover::cli
