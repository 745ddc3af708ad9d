#include "prover/formats/wtns_file.h"

#include <string>

#include "prover/error.h"
#include "prover/formats/binfile.h"

namespace codex::prover::formats {

void write_wtns(const std::string& path, std::span<const Fr> witness) {
  if (witness.empty() || !witness[0].is_one())
    throw InvalidInput(path + ": witness must start with wire 0 = 1");
  BinFileWriter w(path, "wtns", 2, 2);
  w.begin_section(1);
  w.fr_prime();
  w.u32(uint32_t(witness.size()));
  w.end_section();
  w.begin_section(2);
  for (const Fr& x : witness)
    w.fr_standard(x);
  w.end_section();
  w.close();
}

std::vector<Fr> read_wtns(const std::string& path) {
  BinFileReader f(path, "wtns", {2});
  ByteCursor h = f.cursor(1);
  expect_fr_prime(h);
  uint32_t n = h.u32();
  h.expect_end();
  if (n == 0) h.fail("empty witness (wire 0 must be 1)");
  ByteCursor c = f.cursor(2);
  if (c.remaining() != uint64_t(n) * 32)
    c.fail("section size mismatch: " + std::to_string(c.remaining()) + " bytes for " +
           std::to_string(n) + " values of 32 bytes");
  std::vector<Fr> w;
  w.reserve(n);
  for (uint32_t i = 0; i < n; ++i)
    w.push_back(read_fr_canonical(c, "witness value"));
  if (!w[0].is_one()) c.fail("wire 0 is " + w[0].to_decimal() + ", must be 1");
  return w;
}

}  // namespace codex::prover::formats
