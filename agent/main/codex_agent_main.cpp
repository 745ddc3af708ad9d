// codex-agent: storage client, provider and validator for a Codex-style
// durability network. Subcommands live in agent/commands/.
#include <CLI/CLI.hpp>

#include <iostream>

#include "agent/client/rest_client.h"
#include "agent/commands/commands.h"
#include "agent/config/version.h"

int main(int argc, char** argv) {
  CLI::App app{"codex-agent " + std::string(codex::agent::version()) +
               ": store, buy and police storage on a Codex-style network"};
  app.require_subcommand(1);
  app.set_version_flag("--version", codex::agent::version());
  int rc = 0;
  codex::agent::add_node_command(app, &rc);
  codex::agent::add_upload_command(app, &rc);
  codex::agent::add_download_command(app, &rc);
  codex::agent::add_repo_command(app, &rc);
  codex::agent::add_chain_command(app, &rc);
  codex::agent::add_devnet_command(app, &rc);
  codex::agent::add_stress_command(app, &rc);
  codex::agent::add_durability_command(app, &rc);
  codex::agent::add_simulate_command(app, &rc);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const codex::agent::HttpError& e) {
    std::cerr << "\ncodex-agent: " << e.what() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "\ncodex-agent: " << e.what() << "\n";
    return 1;
  }
  return rc;
}
