#pragma once
// The pictures of a simulation, drawn by gnuplot (Debian's gnuplot-nox, which
// scripts/setup installs): datasets.png (alive, finished and lost over time),
// slots.png (slots filled and awaiting repair, providers up, down and lost),
// activity.png (proofs, missed-proof marks and repairs per day) and
// earnings.png (each provider's token change, ranked). The data go beside
// them as TSV files, so that an operator can plot them otherwise.
#include <filesystem>
#include <string>
#include <vector>

#include "agent/sim/sim_report.h"

namespace codex::sim {

// Writes the TSV files and the PNGs into `dir` (created). Returns the PNGs
// written. Throws std::runtime_error when gnuplot is missing or fails (the
// message says how to install it).
std::vector<std::filesystem::path> write_plots(const SimReport& report,
                                               const std::filesystem::path& dir);

}  // namespace codex::sim
