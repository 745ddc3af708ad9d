#pragma once
// The subcommands of codex-agent. Each adds itself to the CLI11 app; when the
// user picks it, its callback runs and stores the process exit code in *rc.
#include <cstdint>
#include <functional>
#include <string>

namespace CLI {
class App;
}

namespace codex::agent {

void add_node_command(CLI::App& app, int* rc);
void add_upload_command(CLI::App& app, int* rc);
void add_download_command(CLI::App& app, int* rc);
void add_repo_command(CLI::App& app, int* rc);
void add_chain_command(CLI::App& app, int* rc);
void add_devnet_command(CLI::App& app, int* rc);
void add_stress_command(CLI::App& app, int* rc);
void add_durability_command(CLI::App& app, int* rc);
void add_simulate_command(CLI::App& app, int* rc);

namespace durability {
struct ReliabilityParams;
}
// Shared by `durability` and `simulate --paper-model` (durability_command.cpp): adds --ec,
// --lazy, --mttf, --mtbp and --mttr to cmd, checked as CLI11 reads them; the function returned
// gives the model's parameters once the command line is parsed.
std::function<durability::ReliabilityParams()> add_reliability_options(CLI::App& cmd);
// "3+2 (n = 5), l0 1, MTTF 365 d, MTBP 1 d, MTTR 1 d".
std::string describe_reliability(const durability::ReliabilityParams& p);
// A --years option's check: a finite number > 0.
std::string positive_years_check(const std::string& value);
// `simulate`'s network mode (simulate_network.cpp): adds its options to cmd; the
// function returned runs the simulation once the command line is parsed
// (seed, MTTF in seconds (0: no provider lost), JSON report file or "") and
// returns the exit code.
std::function<int(uint64_t seed, double mttf, const std::string& json)>
add_network_simulation_options(CLI::App& cmd);

}  // namespace codex::agent
