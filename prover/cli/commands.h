// Subcommands of codex-prover. Each add_* registers its subcommand on the app;
// the callback runs it and throws on error (main prints the message and exits
// with status 1).
#pragma once

#include <CLI/CLI.hpp>

namespace codex::prover::cli {

void add_poseidon2_command(CLI::App& app);
void add_input_command(CLI::App& app);

}  // namespace codex::prover::cli
