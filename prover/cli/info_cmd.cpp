// codex-prover info FILE: what an .r1cs, .wtns, .zkey or snarkjs JSON file
// (proof, public signals, verification key) holds, after reading it with the
// same strict readers the other commands use. --check adds the full point
// validation of a .zkey (G2 subgroup checks of every B2 point: slow).
#include <bit>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>

#include "prover/cli/commands.h"
#include "prover/error.h"
#include "prover/formats/json.h"
#include "prover/formats/r1cs_file.h"
#include "prover/formats/wtns_file.h"
#include "prover/groth16/snarkjs_json.h"
#include "prover/groth16/zkey_file.h"

namespace codex::prover::cli {
namespace {

struct InfoOptions {
  std::string path;
  bool check = false;
};

std::string first_bytes(const std::string& path, size_t n) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw InvalidInput(path + ": cannot open");
  std::string s(n, '\0');
  f.read(s.data(), std::streamsize(n));
  s.resize(size_t(f.gcount()));
  return s;
}

void r1cs_info(const std::string& path) {
  formats::R1cs r = formats::read_r1cs(path);
  const auto& h = r.header;
  size_t terms = 0;
  for (const auto& c : r.constraints)
    terms += c.a.terms().size() + c.b.terms().size() + c.c.terms().size();
  std::cout << "type: r1cs (version 1, BN254)\n"
            << "constraints: " << h.n_constraints << "\n"
            << "wires: " << h.n_wires << "\n"
            << "public outputs: " << h.n_outputs << "\n"
            << "public inputs: " << h.n_public_inputs << "\n"
            << "private inputs: " << h.n_private_inputs << "\n"
            << "labels: " << h.n_labels << "\n"
            << "terms: " << terms << "\n";
}

void wtns_info(const std::string& path) {
  auto w = formats::read_wtns(path);
  std::cout << "type: wtns (version 2, BN254)\n"
            << "values: " << w.size() << "\n";
  for (size_t i = 1; i < w.size() && i <= 4; ++i)
    std::cout << "wire " << i << ": " << w[i].to_decimal() << "\n";
}

void zkey_info(const std::string& path, bool check) {
  groth16::ZkeyReader z(path);
  const auto& h = z.header();
  std::cout << "type: zkey (Groth16, version 1, BN254)\n"
            << "wires (nVars): " << h.n_vars << "\n"
            << "public signals (nPublic): " << h.n_public << "\n"
            << "domain size: " << h.domain_size << " (2^" << std::countr_zero(h.domain_size)
            << ")\n"
            << "coefficients: " << z.num_coefficients() << "\n"
            << "file size: " << z.file_size() << " bytes\n";
  if (check) {
    z.check_points();
    std::cout << "points: all on the curve and in their subgroups\n";
  }
}

void json_info(const std::string& path) {
  std::string text = formats::read_text_file(path);
  if (text.find("\"vk_alpha_1\"") != std::string::npos) {
    auto vk = groth16::parse_verification_key_json(text);
    std::cout << "type: Groth16 verification key (snarkjs JSON)\n"
              << "public inputs: " << vk.num_public() << "\n"
              << "alphabeta12: " << (vk.alphabeta12 ? "present" : "absent") << "\n";
  } else if (text.find("\"pi_a\"") != std::string::npos) {
    groth16::parse_proof_json(text);
    std::cout << "type: Groth16 proof (snarkjs JSON)\npoints: valid\n";
  } else {
    auto pub = groth16::parse_public_json(text);
    std::cout << "type: public signals (snarkjs JSON)\ncount: " << pub.size() << "\n";
    for (size_t i = 0; i < pub.size(); ++i)
      std::cout << "public " << i << ": " << pub[i].to_decimal() << "\n";
  }
}

void run_info(const InfoOptions& o) {
  std::string head = first_bytes(o.path, 4);
  if (head == "r1cs") {
    r1cs_info(o.path);
  } else if (head == "wtns") {
    wtns_info(o.path);
  } else if (head == "zkey") {
    zkey_info(o.path, o.check);
  } else if (head.find_first_of("{[") != std::string::npos ||
             head.find_first_not_of(" \t\r\n") == std::string::npos) {
    json_info(o.path);
  } else {
    throw InvalidInput(o.path + ": not an r1cs, wtns, zkey or snarkjs JSON file");
  }
}

}  // namespace

void add_info_command(CLI::App& app) {
  auto o = std::make_shared<InfoOptions>();
  auto* cmd = app.add_subcommand(
      "info", "describe an .r1cs, .wtns, .zkey or snarkjs JSON file (validating it)");
  cmd->add_option("file", o->path, "the file")->required();
  cmd->add_flag("--check", o->check, "zkey: also check every point (slow)");
  cmd->callback([o] { run_info(*o); });
}

}  // namespace codex::prover::cli
