// codex-prover setup / prove / verify (spec/proofs.md §5.3–§5.4):
//   setup CIRCUIT.r1cs OUT.zkey --vk vk.json [--seed S]   development key only
//   prove KEY.zkey WITNESS.wtns PROOF.json PUBLIC.json
//   verify VK.json PUBLIC.json PROOF.json                 exit 0 valid, 1 invalid, 2 bad input
#include <sys/random.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>

#include "base/cli/unsigned_range.h"
#include "base/hex.h"
#include "prover/cli/commands.h"
#include "prover/error.h"
#include "prover/formats/json.h"
#include "prover/formats/r1cs_file.h"
#include "prover/formats/wtns_file.h"
#include "prover/groth16/prover.h"
#include "prover/groth16/setup.h"
#include "prover/groth16/snarkjs_json.h"
#include "prover/groth16/verifier.h"
#include "prover/groth16/zkey_file.h"

namespace codex::prover::cli {
namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << text;
  f.flush();
  if (!f) throw InvalidInput("cannot write " + path);
}

std::string random_seed_hex() {
  uint8_t b[16];
  if (::getrandom(b, sizeof b, 0) != ssize_t(sizeof b))
    throw std::runtime_error("getrandom failed");
  return base::to_hex(b, false);
}

struct SetupOptions {
  std::string r1cs, zkey, vk, seed;
  unsigned threads = 0;
  bool quiet = false;
};

void run_setup(const SetupOptions& o) {
  const auto t0 = std::chrono::steady_clock::now();
  std::string seed = o.seed.empty() ? random_seed_hex() : o.seed;
  std::cerr << "codex-prover setup: DEVELOPMENT KEY, NOT FOR PRODUCTION (toxic waste derived "
               "from the seed; anyone who knows it can forge proofs)\n";
  if (o.seed.empty()) std::cerr << "seed: " << seed << "\n";
  formats::R1cs r1cs = formats::read_r1cs(o.r1cs);
  const double t_read = seconds_since(t0);
  auto res = groth16::dev_setup(r1cs, seed, o.threads);
  const double t_setup = seconds_since(t0) - t_read;
  groth16::write_zkey(o.zkey, res.pk);
  write_file(o.vk, groth16::verification_key_to_json(res.vk));
  if (!o.quiet)
    std::cerr << r1cs.header.n_constraints << " constraints, " << r1cs.header.n_wires << " wires, "
              << r1cs.header.num_public() << " public, domain 2^"
              << std::countr_zero(res.pk.header.domain_size) << "\nread " << t_read << " s, setup "
              << t_setup << " s, total " << seconds_since(t0) << " s\n";
}

struct ProveOptions {
  std::string zkey, wtns, proof, pub;
  unsigned threads = 0;
  bool no_check = false, quiet = false;
};

void run_prove(const ProveOptions& o) {
  const auto t0 = std::chrono::steady_clock::now();
  groth16::ZkeyReader zkey(o.zkey);
  std::vector<Fr> witness = formats::read_wtns(o.wtns);
  const double t_load = seconds_since(t0);
  groth16::ProveResult res = groth16::prove(zkey, witness, o.threads);
  const double t_prove = seconds_since(t0) - t_load;
  if (!o.no_check) {
    // The zkey's own verification key: catches witnesses that do not satisfy
    // the circuit (the prover itself cannot tell).
    if (!groth16::verify(zkey.verification_key(), res.public_inputs, res.proof))
      throw InvalidInput("the proof does not verify: the witness " + o.wtns +
                         " does not satisfy the circuit of " + o.zkey);
  }
  write_file(o.proof, groth16::proof_to_json(res.proof));
  write_file(o.pub, groth16::public_to_json(res.public_inputs));
  if (!o.quiet)
    std::cerr << "proved in " << t_prove << " s (load " << t_load << " s, total "
              << seconds_since(t0) << " s)\n";
}

struct VerifyOptions {
  std::string vk, pub, proof;
};

// Exit status: 0 valid, 1 invalid, 2 unreadable or malformed input.
[[noreturn]] void run_verify(const VerifyOptions& o) {
  bool ok = false;
  try {
    auto vk = groth16::parse_verification_key_json(formats::read_text_file(o.vk));
    auto pub = groth16::parse_public_json(formats::read_text_file(o.pub));
    auto proof = groth16::parse_proof_json(formats::read_text_file(o.proof));
    ok = groth16::verify(vk, pub, proof);
  } catch (const InvalidInput& e) {
    std::cerr << "codex-prover: error: " << e.what() << "\n";
    std::exit(2);
  }
  std::cout << (ok ? "OK" : "INVALID") << std::endl;
  std::exit(ok ? 0 : 1);
}

}  // namespace

void add_groth16_commands(CLI::App& app) {
  auto so = std::make_shared<SetupOptions>();
  auto* setup = app.add_subcommand(
      "setup",
      "development Groth16 key (.zkey, snarkjs format) and verification key; NOT FOR "
      "PRODUCTION");
  setup->add_option("circuit", so->r1cs, "circuit .r1cs")->required();
  setup->add_option("zkey", so->zkey, "output proving key .zkey")->required();
  setup->add_option("--vk", so->vk, "output verification_key.json")->required();
  setup->add_option("--seed", so->seed,
                    "seed of the toxic waste (default: random, printed); same seed, same key");
  setup->add_option("--threads", so->threads, "threads (0 = all cores)")
      ->check(base::cli::UnsignedRange(0, std::numeric_limits<unsigned>::max()));
  setup->add_flag("--quiet", so->quiet, "print only the development-key warning");
  setup->callback([so] { run_setup(*so); });

  auto po = std::make_shared<ProveOptions>();
  auto* prove = app.add_subcommand("prove", "Groth16 proof (snarkjs JSON) from a .zkey and .wtns");
  prove->add_option("zkey", po->zkey, "proving key .zkey")->required();
  prove->add_option("witness", po->wtns, "witness .wtns")->required();
  prove->add_option("proof", po->proof, "output proof.json")->required();
  prove->add_option("public", po->pub, "output public.json")->required();
  prove->add_option("--threads", po->threads, "threads (0 = all cores)")
      ->check(base::cli::UnsignedRange(0, std::numeric_limits<unsigned>::max()));
  prove->add_flag("--no-check", po->no_check, "skip verifying the proof before writing it");
  prove->add_flag("--quiet", po->quiet, "print no timing");
  prove->callback([po] { run_prove(*po); });

  auto vo = std::make_shared<VerifyOptions>();
  auto* verify = app.add_subcommand(
      "verify", "verify a Groth16 proof; exit 0 if valid, 1 if invalid, 2 on bad input");
  verify->add_option("vk", vo->vk, "verification_key.json")->required();
  verify->add_option("public", vo->pub, "public.json")->required();
  verify->add_option("proof", vo->proof, "proof.json")->required();
  verify->callback([vo] { run_verify(*vo); });
}

}  // namespace codex::prover::cli
