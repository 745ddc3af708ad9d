// Groth16 proving: our prover against `snarkjs groth16 prove` on the same
// .zkey and .wtns, each run in its own process (wall time and peak RSS from
// wait4), best of N runs with the spread; optionally our development setup
// time for an .r1cs.
//
// Usage: prover_groth16_run --zkey K.zkey --wtns W.wtns [--r1cs C.r1cs]
//          [--runs N] [--threads T] [--snarkjs PATH | --no-snarkjs]   (--help)
//   --r1cs without --zkey: runs our setup first (timed) into a temporary key.
// Make inputs with codex-prover, e.g. the production circuit (5 samples):
//   codex-prover r1cs --nsamples 5 --out c.r1cs
//   codex-prover input --fake-data ... --out in.json; codex-prover witness in.json c.wtns
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "base/cli/unsigned_range.h"
#include "prover/formats/r1cs_file.h"
#include "prover/formats/wtns_file.h"
#include "prover/groth16/prover.h"
#include "prover/groth16/setup.h"
#include "prover/groth16/verifier.h"
#include "prover/groth16/zkey_file.h"

namespace {

using namespace codex::prover;
using Clock = std::chrono::steady_clock;

struct Sample {
  double seconds = 0;
  double cpu = 0;  // user + system seconds of the process
  long max_rss_kb = 0;
  int status = 0;
};

// Runs `child` in a forked process (exit status = its return value).
Sample in_child(const std::function<int()>& child) {
  std::fflush(nullptr);  // nothing buffered may be printed twice
  auto t0 = Clock::now();
  pid_t pid = fork();
  if (pid < 0) {
    std::perror("fork");
    std::exit(1);
  }
  if (pid == 0) {
    int rc = 1;
    try {
      rc = child();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "error: %s\n", e.what());
    }
    std::fflush(nullptr);
    _exit(rc);
  }
  int st = 0;
  rusage ru{};
  wait4(pid, &st, 0, &ru);
  Sample s;
  s.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  s.max_rss_kb = ru.ru_maxrss;
  s.cpu = double(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
          1e-6 * double(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
  s.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return s;
}

Sample exec_child(const std::vector<std::string>& argv) {
  return in_child([&] {
    std::vector<char*> args;
    for (const auto& a : argv)
      args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    if (std::freopen("/dev/null", "w", stdout) == nullptr) return 127;
    execvp(args[0], args.data());
    std::perror("execvp");
    return 127;
  });
}

void report(const char* name, const std::vector<Sample>& xs) {
  double best = 1e300, worst = 0, cpu = 1e300;
  long rss = 0;
  for (const auto& s : xs) {
    cpu = std::min(cpu, s.cpu);
    best = std::min(best, s.seconds);
    worst = std::max(worst, s.seconds);
    rss = std::max(rss, s.max_rss_kb);
  }
  std::printf("%-10s best %.3f s, worst %.3f s (%zu runs), min CPU %.3f s, peak RSS %.1f MB\n",
              name, best, worst, xs.size(), cpu, rss / 1024.0);
}

double best_of(const std::vector<Sample>& xs, bool cpu = false) {
  double b = 1e300;
  for (const auto& s : xs)
    b = std::min(b, cpu ? s.cpu : s.seconds);
  return b;
}

}  // namespace

int main(int argc, char** argv) {
  std::string zkey, wtns, r1cs;
  std::string snarkjs = std::string(CODEX_SOURCE_DIR) + "/node_modules/.bin/snarkjs";
  uint64_t runs = 3;
  unsigned threads = 0;
  bool no_snarkjs = false;
  using codex::base::cli::UnsignedRange;
  CLI::App app{
      "prover_groth16_run: our Groth16 prover against snarkjs on the same .zkey and .wtns"};
  app.add_option("--zkey", zkey, "proving key .zkey")->check(CLI::ExistingFile);
  app.add_option("--wtns", wtns, "witness .wtns")->required()->check(CLI::ExistingFile);
  app.add_option("--r1cs", r1cs, "circuit .r1cs: without --zkey, our setup runs first (timed)")
      ->check(CLI::ExistingFile);
  app.add_option("--runs", runs, "runs of each prover (best taken)")
      ->check(UnsignedRange(1, 1000))
      ->capture_default_str();
  app.add_option("--threads", threads, "our prover's threads (0 = all cores)")
      ->check(UnsignedRange(0, 4096))
      ->capture_default_str();
  auto* snarkjs_opt =
      app.add_option("--snarkjs", snarkjs, "the snarkjs program")->capture_default_str();
  app.add_flag("--no-snarkjs", no_snarkjs, "measure our prover only")->excludes(snarkjs_opt);
  CLI11_PARSE(app, argc, argv);
  const bool use_snarkjs = !no_snarkjs;
  if (zkey.empty() && r1cs.empty()) {
    std::fprintf(stderr, "need --zkey, or --r1cs to make one (see --help)\n");
    return 2;
  }
  std::string tmp_key;
  if (zkey.empty()) {
    tmp_key = (std::filesystem::temp_directory_path() /
               ("prover_groth16_run_" + std::to_string(getpid()) + ".zkey"))
                  .string();
    zkey = tmp_key;
    Sample s = in_child([&] {
      auto t0 = Clock::now();
      formats::R1cs c = formats::read_r1cs(r1cs);
      auto res = groth16::dev_setup(c, "bench", threads);
      double t_setup = std::chrono::duration<double>(Clock::now() - t0).count();
      groth16::write_zkey(zkey, res.pk);
      std::printf("setup: %u constraints, domain %u: %.3f s (+ write %.3f s)\n",
                  c.header.n_constraints, res.pk.header.domain_size, t_setup,
                  std::chrono::duration<double>(Clock::now() - t0).count() - t_setup);
      return 0;
    });
    if (s.status != 0) return 1;
    std::printf("setup process: %.3f s, peak RSS %.1f MB\n", s.seconds, s.max_rss_kb / 1024.0);
  }
  const auto zkey_size = std::filesystem::file_size(zkey);
  std::printf("zkey %s: %.1f MB\n", zkey.c_str(), zkey_size / 1048576.0);

  // Runs alternate (ours, snarkjs, ours, ...) so that both see the same
  // machine: on a shared host the speed drifts over minutes.
  std::vector<Sample> ours, theirs;
  const std::string dir = std::filesystem::temp_directory_path().string();
  const std::string pid = std::to_string(getpid());
  for (uint64_t r = 0; r < runs; ++r) {
    ours.push_back(in_child([&] {
      groth16::ZkeyReader k(zkey);
      auto w = formats::read_wtns(wtns);
      auto t0 = Clock::now();
      groth16::ProveTimings tm;
      auto res = groth16::prove(k, w, threads, &tm);
      double t = std::chrono::duration<double>(Clock::now() - t0).count();
      std::printf("  ours: abc %.3f, ntt %.3f, msm A %.3f, B1 %.3f, B2 %.3f, C %.3f, H %.3f s\n",
                  tm.abc, tm.ntt, tm.msm_a, tm.msm_b1, tm.msm_b2, tm.msm_c, tm.msm_h);
      // Checked once (outside the timed region; not counted in later runs).
      bool ok = r > 0 || groth16::verify(k.verification_key(), res.public_inputs, res.proof);
      std::printf("  ours: prove %.3f s%s\n", t, ok ? "" : "  PROOF DOES NOT VERIFY");
      return ok ? 0 : 1;
    }));
    if (ours.back().status != 0) return 1;
    if (!use_snarkjs) continue;
    theirs.push_back(
        exec_child({snarkjs, "groth16", "prove", zkey, wtns, dir + "/bench_proof_" + pid + ".json",
                    dir + "/bench_public_" + pid + ".json"}));
    if (theirs.back().status != 0) {
      std::fprintf(stderr, "snarkjs failed (status %d)\n", theirs.back().status);
      return 1;
    }
  }
  report("ours", ours);
  std::printf("ours peak RSS / zkey size: %.2f\n", ours[0].max_rss_kb * 1024.0 / zkey_size);
  if (use_snarkjs) {
    std::remove((dir + "/bench_proof_" + pid + ".json").c_str());
    std::remove((dir + "/bench_public_" + pid + ".json").c_str());
    report("snarkjs", theirs);
    std::printf("snarkjs / ours: wall %.2f, CPU %.2f (best of each, whole process)\n",
                best_of(theirs) / best_of(ours), best_of(theirs, true) / best_of(ours, true));
  }
  if (!tmp_key.empty()) std::remove(tmp_key.c_str());
  return 0;
}
