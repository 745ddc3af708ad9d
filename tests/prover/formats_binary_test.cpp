// iden3 .r1cs and .wtns files (prover/formats/r1cs_file.h, wtns_file.h): round
// trips of a builder circuit, sections out of id order, and every kind of
// damage rejected with InvalidInput and a message that says what is wrong.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "groth16_test_circuit.h"
#include "prover/error.h"
#include "prover/formats/binfile.h"
#include "prover/formats/r1cs_file.h"
#include "prover/formats/wtns_file.h"
#include "support/shell.h"

namespace codex::prover::formats {
namespace {

namespace fs = std::filesystem;
using test_support::Bytes;

class BinaryFiles : public ::testing::Test {
 protected:
  std::string path(const std::string& name) const { return dir_.path(name); }
  static Bytes load(const std::string& p) { return test_support::load_bytes(p); }
  static void save(const std::string& p, const Bytes& b) { test_support::save_bytes(p, b); }
  static void put_u32(Bytes& b, size_t at, uint32_t v) {
    for (int i = 0; i < 4; ++i)
      b[at + i] = uint8_t(v >> (8 * i));
  }
  static uint32_t get_u32(const Bytes& b, size_t at) {
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i)
      v |= uint32_t(b[at + i]) << (8 * i);
    return v;
  }
  // Offset of section `id`'s payload (and its length) in a container.
  static std::pair<size_t, size_t> find_section(const Bytes& b, uint32_t id) {
    size_t pos = 12;
    for (uint32_t i = 0, n = get_u32(b, 8); i < n; ++i) {
      uint32_t sid = get_u32(b, pos);
      uint64_t len = uint64_t(get_u32(b, pos + 4)) | uint64_t(get_u32(b, pos + 8)) << 32;
      if (sid == id) return {pos + 12, size_t(len)};
      pos += 12 + len;
    }
    ADD_FAILURE() << "no section " << id;
    return {0, 0};
  }

  // Expects `read` on the damaged bytes to throw InvalidInput whose message
  // contains `needle`.
  void expect_rejected(const Bytes& damaged, const std::function<void(const std::string&)>& read,
                       const std::string& needle) {
    std::string p = path("damaged.bin");
    save(p, damaged);
    try {
      read(p);
      ADD_FAILURE() << "accepted; expected an error containing \"" << needle << "\"";
    } catch (const InvalidInput& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos)
          << "message: " << e.what() << "\nexpected to contain: " << needle;
      EXPECT_NE(std::string(e.what()).find(p), std::string::npos) << "names the file";
    }
  }

  test_support::TempDir dir_{"codex-formats"};
};

void same_constraints(const std::vector<circuit::Constraint>& a,
                      const std::vector<circuit::Constraint>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].a, b[i].a) << i;
    EXPECT_EQ(a[i].b, b[i].b) << i;
    EXPECT_EQ(a[i].c, b[i].c) << i;
  }
}

TEST_F(BinaryFiles, R1csRoundTrip) {
  auto cb = testing::poseidon2_chain_circuit(2);
  R1csHeader h = r1cs_header_of(cb, 1);
  EXPECT_EQ(h.num_public(), 3u);
  write_r1cs(path("c.r1cs"), h, cb.constraints());
  R1cs r = read_r1cs(path("c.r1cs"));
  EXPECT_EQ(r.header.n_wires, cb.num_wires());
  EXPECT_EQ(r.header.n_public_inputs, 3u);
  EXPECT_EQ(r.header.n_outputs, 0u);
  EXPECT_EQ(r.header.n_private_inputs, 1u);
  EXPECT_EQ(r.header.n_constraints, cb.num_constraints());
  same_constraints(r.constraints, cb.constraints());
  EXPECT_EQ(read_r1cs_header(path("c.r1cs")).n_constraints, cb.num_constraints());
  // Rewriting the read circuit gives the same bytes.
  write_r1cs(path("d.r1cs"), r.header, r.constraints);
  EXPECT_EQ(load(path("c.r1cs")), load(path("d.r1cs")));
}

// circom writes section 2 before section 1: the reader indexes by id.
TEST_F(BinaryFiles, R1csSectionsOutOfOrder) {
  auto cb = testing::poseidon2_chain_circuit(1);
  write_r1cs(path("c.r1cs"), r1cs_header_of(cb, 1), cb.constraints());
  Bytes b = load(path("c.r1cs"));
  auto [h_off, h_len] = find_section(b, 1);
  auto [c_off, c_len] = find_section(b, 2);
  ASSERT_LT(h_off, c_off);
  // Swap the header section (with its 12-byte section header) behind section 2.
  Bytes out(b.begin(), b.begin() + 12);
  out.insert(out.end(), b.begin() + c_off - 12, b.begin() + c_off + c_len);
  out.insert(out.end(), b.begin() + h_off - 12, b.begin() + h_off + h_len);
  out.insert(out.end(), b.begin() + c_off + c_len, b.end());
  ASSERT_EQ(out.size(), b.size());
  save(path("swapped.r1cs"), out);
  same_constraints(read_r1cs(path("swapped.r1cs")).constraints, cb.constraints());
}

TEST_F(BinaryFiles, R1csDamageIsRejected) {
  auto cb = testing::poseidon2_chain_circuit(1);
  write_r1cs(path("c.r1cs"), r1cs_header_of(cb, 1), cb.constraints());
  const Bytes good = load(path("c.r1cs"));
  auto read = [](const std::string& p) { read_r1cs(p); };
  auto [h_off, h_len] = find_section(good, 1);
  auto [c_off, c_len] = find_section(good, 2);

  for (size_t cut :
       {size_t(0), size_t(3), size_t(11), size_t(20), good.size() / 2, good.size() - 1}) {
    Bytes b(good.begin(), good.begin() + cut);
    expect_rejected(b, read, cut < 12 ? "too short" : "truncated");
  }
  {
    Bytes b = good;
    b[0] = 'x';
    expect_rejected(b, read, "wrong magic");
  }
  {
    Bytes b = good;
    put_u32(b, 4, 2);
    expect_rejected(b, read, "version 2");
  }
  {
    Bytes b = good;
    b[h_off + 4] ^= 1;  // prime
    expect_rejected(b, read, "prime");
  }
  {
    Bytes b = good;
    put_u32(b, h_off, 48);  // n8
    expect_rejected(b, read, "field element size 48");
  }
  {
    Bytes b = good;
    b.push_back(0);
    expect_rejected(b, read, "trailing bytes");
  }
  {
    // One constraint fewer announced than present.
    Bytes b = good;
    put_u32(b, h_off + h_len - 4, uint32_t(cb.num_constraints() - 1));
    expect_rejected(b, read, "section size mismatch");
  }
  {
    // More constraints announced than present.
    Bytes b = good;
    put_u32(b, h_off + h_len - 4, uint32_t(cb.num_constraints() + 1));
    expect_rejected(b, read, "section 2");
  }
  {
    // nWires below the public count.
    Bytes b = good;
    put_u32(b, h_off + 36, 2);
    expect_rejected(b, read, "exceeds nWires");
  }
  {
    // First term of constraint 0's A: wire id out of range.
    Bytes b = good;
    put_u32(b, c_off + 4, 1u << 30);
    expect_rejected(b, read, "out of range");
  }
  {
    // Its coefficient = r (non-canonical).
    Bytes b = good;
    for (size_t i = 0; i < 32; ++i)
      b[c_off + 8 + i] = uint8_t(Fr::kModulus[i / 8] >> (8 * (i % 8)));
    expect_rejected(b, read, "not a canonical field element");
  }
  {
    // Term count absurdly large.
    Bytes b = good;
    put_u32(b, c_off, 0xffffffffu);
    expect_rejected(b, read, "terms");
  }
  {
    // A section length larger than the file.
    Bytes b = good;
    put_u32(b, c_off - 8, 0x7fffffff);
    expect_rejected(b, read, "claims");
  }
  {
    // Missing header: retag section 1 as 9.
    Bytes b = good;
    put_u32(b, h_off - 12, 9);
    expect_rejected(b, read, "missing section 1");
  }
  {
    // Duplicate section id.
    Bytes b = good;
    put_u32(b, c_off - 12, 1);
    expect_rejected(b, read, "more than once");
  }
  EXPECT_THROW(read_r1cs(path("does-not-exist.r1cs")), InvalidInput);
}

TEST_F(BinaryFiles, WtnsRoundTrip) {
  auto cb = testing::poseidon2_chain_circuit(1);
  write_wtns(path("w.wtns"), cb.witness());
  EXPECT_EQ(read_wtns(path("w.wtns")), cb.witness());
  Bytes b = load(path("w.wtns"));
  EXPECT_EQ(b.size(), 12 + 12 + 40 + 12 + 32 * cb.num_wires());
}

TEST_F(BinaryFiles, WtnsDamageIsRejected) {
  auto cb = testing::poseidon2_chain_circuit(1);
  write_wtns(path("w.wtns"), cb.witness());
  const Bytes good = load(path("w.wtns"));
  auto read = [](const std::string& p) { read_wtns(p); };
  auto [h_off, h_len] = find_section(good, 1);
  auto [v_off, v_len] = find_section(good, 2);
  ASSERT_EQ(v_len, 32 * cb.num_wires());

  expect_rejected(Bytes(good.begin(), good.end() - 5), read, "truncated");
  {
    Bytes b = good;
    std::memcpy(b.data(), "r1cs", 4);
    expect_rejected(b, read, "wrong magic");
  }
  {
    Bytes b = good;
    put_u32(b, 4, 1);
    expect_rejected(b, read, "version 1");
  }
  {
    Bytes b = good;
    b[h_off + 35] ^= 0x80;
    expect_rejected(b, read, "prime");
  }
  {
    Bytes b = good;
    put_u32(b, h_off + h_len - 4, uint32_t(cb.num_wires() + 1));
    expect_rejected(b, read, "section size mismatch");
  }
  {
    Bytes b = good;
    b[v_off] = 2;  // wire 0 = 2
    expect_rejected(b, read, "wire 0");
  }
  {
    Bytes b = good;
    for (size_t i = 0; i < 32; ++i)
      b[v_off + 64 + i] = 0xff;  // wire 2 ≥ r
    expect_rejected(b, read, "not a canonical");
  }
  {
    Bytes b = good;
    put_u32(b, h_off + h_len - 4, 0);
    expect_rejected(b, read, "empty witness");
  }
  std::vector<Fr> bad = cb.witness();
  bad[0] = Fr::from_u64(2);
  EXPECT_THROW(write_wtns(path("x.wtns"), bad), InvalidInput);
}

TEST_F(BinaryFiles, WriterRejectsUnwritablePath) {
  EXPECT_THROW(write_wtns(path("no/such/dir/w.wtns"), std::vector<Fr>{Fr::one()}), InvalidInput);
}

}  // namespace
}  // namespace codex::prover::formats
