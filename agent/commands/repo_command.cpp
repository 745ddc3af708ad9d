// `codex-agent repo check -d DIR`: opens a (stopped) node's data directory and
// block store, which upgrades an older layout and repairs whatever a crash
// left, then checks every invariant of the store and re-hashes every block;
// `--quick` checks each block's CRC32C instead (Repo::check_consistency).
// Damaged blocks are recorded in the store, as a read records them. Exit
// status 0 only when the store is consistent.
#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>

#include "agent/commands/commands.h"
#include "agent/config/node_config.h"
#include "agent/config/units.h"
#include "exchange/store/data_dir.h"
#include "exchange/store/repo.h"

namespace codex::agent {

void add_repo_command(CLI::App& app, int* rc) {
  auto dir = std::make_shared<std::string>(default_data_dir().string());
  auto quick = std::make_shared<bool>(false);
  CLI::App* repo = app.add_subcommand("repo", "Inspect a node's block store");
  repo->require_subcommand(1);
  CLI::App* check = repo->add_subcommand("check", "Check the store's consistency (node stopped)");
  check->add_option("-d,--data-dir", *dir, "Data directory of the node")->capture_default_str();
  check->add_flag("--quick", *quick,
                  "Check block bytes against the CRC32C recorded when they were stored instead of "
                  "re-hashing them with SHA-256 (blocks stored before checksums are re-hashed)");
  check->callback([dir, quick, rc] {
    // A missing directory is an error, not an empty store to create.
    store::DataDirOptions dopt;
    dopt.create = false;
    auto data = store::DataDir::open(*dir, dopt);
    store::RepoOptions o;
    o.dir = data->repo_dir();
    o.quota_bytes = UINT64_MAX;  // checking must not depend on the node's quota
    auto r = store::Repo::open(data->database(), o);
    store::ConsistencyReport rep = r->check_consistency(!*quick);
    std::cout << "blocks " << rep.blocks << " (" << format_size(rep.bytes) << "), verified "
              << rep.blocks_verified << " by hash, " << rep.blocks_checksummed << " by checksum"
              << (rep.blocks_unchecked ? ", " + std::to_string(rep.blocks_unchecked) + " unchecked"
                                       : std::string())
              << ", leaves " << rep.leaves << ", orphan files " << rep.orphan_files << ", damaged "
              << rep.damaged_blocks << ", pack garbage " << format_size(rep.pack_garbage_bytes)
              << " (freed by compaction), packs on disk " << format_size(rep.pack_disk_bytes)
              << "\n";
    for (const auto& p : rep.problems)
      std::cout << "problem: " << p << "\n";
    if (rep.more_problems) std::cout << "… and " << rep.more_problems << " more problems\n";
    std::cout << (rep.ok() ? "consistent" : "INCONSISTENT") << "\n";
    *rc = rep.ok() ? 0 : 1;
  });
}

}  // namespace codex::agent
