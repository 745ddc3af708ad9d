#pragma once
// The subcommands of codex-agent. Each adds itself to the CLI11 app; when the
// user picks it, its callback runs and stores the process exit code in *rc.
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

}  // namespace codex::agent
