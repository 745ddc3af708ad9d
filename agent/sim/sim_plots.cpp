#include "agent/sim/sim_plots.h"

#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <stdexcept>

namespace codex::sim {

namespace fs = std::filesystem;

namespace {

void write_tsv(const SimReport& r, const fs::path& dir) {
  std::ofstream days(dir / "days.tsv");
  days << "# day\talive\tfinished\tlost\tslots_filled\tslots_repairing\tproviders_up\t"
          "providers_down\tproviders_lost\tproofs\tmarks\trepairs\n";
  for (const DayRow& d : r.days)
    days << d.day << '\t' << d.datasets_alive << '\t' << d.datasets_finished << '\t'
         << d.datasets_lost << '\t' << d.slots_filled << '\t' << d.slots_repairing << '\t'
         << d.providers_up << '\t' << d.providers_down << '\t' << d.providers_lost << '\t'
         << d.proofs << '\t' << d.marks << '\t' << d.repairs << '\n';
  // Earnings ranked, as doubles: a plot needs no more than 15 digits.
  std::vector<double> earnings;
  for (const std::string& e : r.provider_earnings)
    earnings.push_back(std::stod(e));
  std::sort(earnings.begin(), earnings.end());
  std::ofstream out(dir / "earnings.tsv");
  out << "# rank\ttokens\n";
  for (size_t i = 0; i < earnings.size(); ++i)
    out << i + 1 << '\t' << earnings[i] << '\n';
  if (!days.flush() || !out.flush())
    throw std::runtime_error("cannot write the plot data in " + dir.string());
}

std::string quoted(const fs::path& p) {
  std::string s = "'";
  for (char c : p.string())
    s += c == '\'' ? std::string("''") : std::string(1, c);
  return s + "'";
}

std::string script(const SimReport& r, const fs::path& dir) {
  const std::string days = quoted(dir / "days.tsv");
  const std::string title = std::to_string(r.providers) + " providers, " +
                            std::to_string(r.validators) + " validators, seed " +
                            std::to_string(r.seed);
  std::string s =
      "set terminal pngcairo size 1000,560 font 'sans,11' noenhanced\n"
      "set grid\nset key outside right top\nset xlabel 'day'\n"
      "set datafile commentschars '#'\n";
  s += "set output " + quoted(dir / "datasets.png") + "\n";
  s += "set title 'Datasets (" + title + ")'\nset ylabel 'requests'\n";
  s += "plot " + days + " using 1:2 with lines lw 2 title 'alive (started, not ended)', " + days +
       " using 1:3 with lines lw 2 title 'finished', " + days +
       " using 1:4 with lines lw 2 lc rgb 'red' title 'lost (failed)'\n";
  s += "set output " + quoted(dir / "slots.png") + "\n";
  s += "set title 'Slots and providers'\nset ylabel 'slots'\nset y2label 'providers'\n"
       "set y2tics\n";
  s += "plot " + days + " using 1:5 with lines lw 2 title 'slots filled', " + days +
       " using 1:6 with lines lw 2 title 'slots awaiting repair', " + days +
       " using 1:7 axes x1y2 with lines title 'providers up', " + days +
       " using 1:8 axes x1y2 with lines title 'providers down', " + days +
       " using 1:9 axes x1y2 with lines lc rgb 'red' title 'providers lost'\n";
  s += "set output " + quoted(dir / "activity.png") + "\n";
  s += "set title 'Per day'\nset ylabel 'proofs'\nset y2label 'marks, repairs'\n";
  s += "plot " + days + " using 1:10 with lines lw 2 title 'proofs submitted', " + days +
       " using 1:11 axes x1y2 with lines lw 2 lc rgb 'red' title 'missed proofs marked', " + days +
       " using 1:12 axes x1y2 with lines lw 2 title 'slots repaired'\n";
  s += "unset y2tics\nunset y2label\n";
  s += "set output " + quoted(dir / "earnings.png") + "\n";
  s += "set title 'Provider earnings at the end (token change, ranked)'\n"
       "set xlabel 'provider (ranked)'\nset ylabel 'tokens'\n";
  s += "plot " + quoted(dir / "earnings.tsv") + " using 1:2 with boxes fill solid 0.6 notitle\n";
  return s;
}

}  // namespace

std::vector<fs::path> write_plots(const SimReport& report, const fs::path& dir) {
  fs::create_directories(dir);
  write_tsv(report, dir);
  FILE* gp = ::popen("gnuplot 2>&1", "w");
  if (!gp) throw std::runtime_error("cannot start gnuplot");
  const std::string s = script(report, dir);
  std::fwrite(s.data(), 1, s.size(), gp);
  const int status = ::pclose(gp);
  if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
    throw std::runtime_error(
        WIFEXITED(status) && WEXITSTATUS(status) == 127
            ? "gnuplot is not installed (apt-get install gnuplot-nox; scripts/setup does it)"
            : "gnuplot failed on the plot script (exit status " +
                  std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1) + ")");
  std::vector<fs::path> out;
  for (const char* name : {"datasets.png", "slots.png", "activity.png", "earnings.png"})
    out.push_back(dir / name);
  return out;
}

}  // namespace codex::sim
