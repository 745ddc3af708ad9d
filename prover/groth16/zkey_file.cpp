#include "prover/groth16/zkey_file.h"

#include <cstring>
#include <string>

#include "base/parallel/parallel_for.h"
#include "prover/error.h"
#include "prover/formats/binfile.h"
#include "prover/pairing/pairing.h"

namespace codex::prover::groth16 {

using formats::BinFileReader;
using formats::BinFileWriter;
using formats::ByteCursor;
using formats::expect_fq_prime;
using formats::expect_fr_prime;

namespace {

using curve::Fq2;
using curve::G1Affine;
using curve::G2Affine;

constexpr size_t kG1Bytes = 64, kG2Bytes = 128, kCoefBytes = 44;
constexpr uint32_t kHeaderBytes = 4 + 32 + 4 + 32 + 4 + 4 + 4 + 3 * kG1Bytes + 3 * kG2Bytes;

// The element whose Montgomery form is R (its value is R = 2^256 mod r):
// multiplying by it maps coef to the "double Montgomery" coef·R².
Fr fr_r() {
  return Fr::from_montgomery_unchecked(Fr::kR2);
}

Fr::Repr load_limbs(const uint8_t* p) {
  Fr::Repr a;
  std::memcpy(a.data(), p, 32);  // little-endian host (x86-64, arm64)
  return a;
}

void store_fq(uint8_t* p, const Fq& x) {
  std::memcpy(p, x.montgomery().data(), 32);
}

bool all_zero(const uint8_t* p, size_t n) {
  for (size_t i = 0; i < n; ++i)
    if (p[i] != 0) return false;
  return true;
}

// Decodes a Montgomery coordinate; false if ≥ q.
bool decode_fq(const uint8_t* p, Fq& out) {
  Fq::Repr a = load_limbs(p);
  if (!field::limbs_less(a, Fq::kModulus)) return false;
  out = Fq::from_montgomery_unchecked(a);
  return true;
}

// Empty string if valid, otherwise what is wrong.
const char* decode_g1(const uint8_t* p, G1Affine& out) {
  if (all_zero(p, kG1Bytes)) {
    out = G1Affine();
    return nullptr;
  }
  Fq x, y;
  if (!decode_fq(p, x) || !decode_fq(p + 32, y)) return "coordinate ≥ q";
  out = G1Affine(x, y);
  if (!out.is_on_curve()) return "not on the curve";
  return nullptr;
}

const char* decode_g2(const uint8_t* p, G2Affine& out) {
  if (all_zero(p, kG2Bytes)) {
    out = G2Affine();
    return nullptr;
  }
  Fq x0, x1, y0, y1;
  if (!decode_fq(p, x0) || !decode_fq(p + 32, x1) || !decode_fq(p + 64, y0) ||
      !decode_fq(p + 96, y1))
    return "coordinate ≥ q";
  out = G2Affine(Fq2(x0, x1), Fq2(y0, y1));
  if (!out.is_on_curve()) return "not on the twist";
  return nullptr;
}

void encode_g1(uint8_t* p, const G1Affine& a) {
  if (a.infinity) {
    std::memset(p, 0, kG1Bytes);
    return;
  }
  store_fq(p, a.x);
  store_fq(p + 32, a.y);
}

void encode_g2(uint8_t* p, const G2Affine& a) {
  if (a.infinity) {
    std::memset(p, 0, kG2Bytes);
    return;
  }
  store_fq(p, a.x.c0);
  store_fq(p + 32, a.x.c1);
  store_fq(p + 64, a.y.c0);
  store_fq(p + 96, a.y.c1);
}

void write_g1s(BinFileWriter& w, std::span<const G1Affine> pts) {
  std::vector<uint8_t> buf(kG1Bytes * 4096);
  for (size_t i = 0; i < pts.size(); i += 4096) {
    size_t n = std::min<size_t>(4096, pts.size() - i);
    for (size_t j = 0; j < n; ++j)
      encode_g1(buf.data() + j * kG1Bytes, pts[i + j]);
    w.bytes(buf.data(), n * kG1Bytes);
  }
}

void write_g2s(BinFileWriter& w, std::span<const G2Affine> pts) {
  std::vector<uint8_t> buf(kG2Bytes * 2048);
  for (size_t i = 0; i < pts.size(); i += 2048) {
    size_t n = std::min<size_t>(2048, pts.size() - i);
    for (size_t j = 0; j < n; ++j)
      encode_g2(buf.data() + j * kG2Bytes, pts[i + j]);
    w.bytes(buf.data(), n * kG2Bytes);
  }
}

const char* section_name(uint32_t s) {
  switch (s) {
    case 3:
      return "IC";
    case 5:
      return "A";
    case 6:
      return "B1";
    case 7:
      return "B2";
    case 8:
      return "C";
    case 9:
      return "H";
    default:
      return "?";
  }
}

}  // namespace

curve::Fq12 snarkjs_alphabeta(const G1Affine& alpha1, const G2Affine& beta2) {
  // m = 2x(6x² + 3x + 1) for x = 4965661367192848881 (< r, so computed in Fr).
  const Fr x = Fr::from_u64(4965661367192848881ull);
  const Fr m = (x * x * Fr::from_u64(6) + x * Fr::from_u64(3) + Fr::one()) * x * Fr::from_u64(2);
  return pairing::pairing(alpha1, beta2).pow(m.to_int());
}

// --- Writer ---------------------------------------------------------------------

void write_zkey(const std::string& path, const ProvingKey& pk) {
  const auto& h = pk.header;
  auto bad = [&](const std::string& what) { throw InvalidInput(path + ": " + what); };
  if (h.domain_size == 0 || (h.domain_size & (h.domain_size - 1)) != 0)
    bad("domain size " + std::to_string(h.domain_size) + " is not a power of two");
  if (h.n_vars < h.n_public + 1) bad("nVars < nPublic + 1");
  if (pk.ic.size() != h.n_public + 1 || pk.a.size() != h.n_vars || pk.b1.size() != h.n_vars ||
      pk.b2.size() != h.n_vars || pk.c.size() != h.n_vars - h.n_public - 1 ||
      pk.h.size() != h.domain_size)
    bad("point counts do not match the header");

  BinFileWriter w(path, "zkey", 1, 10);
  w.begin_section(1);
  w.u32(1);  // Groth16
  w.end_section();

  w.begin_section(2);
  w.fq_prime();
  w.fr_prime();
  w.u32(h.n_vars);
  w.u32(h.n_public);
  w.u32(h.domain_size);
  uint8_t buf[kG2Bytes];
  encode_g1(buf, h.alpha1);
  w.bytes(buf, kG1Bytes);
  encode_g1(buf, h.beta1);
  w.bytes(buf, kG1Bytes);
  encode_g2(buf, h.beta2);
  w.bytes(buf, kG2Bytes);
  encode_g2(buf, h.gamma2);
  w.bytes(buf, kG2Bytes);
  encode_g1(buf, h.delta1);
  w.bytes(buf, kG1Bytes);
  encode_g2(buf, h.delta2);
  w.bytes(buf, kG2Bytes);
  w.end_section();

  w.begin_section(3);
  write_g1s(w, pk.ic);
  w.end_section();

  w.begin_section(4);
  w.u32(uint32_t(pk.coefs.size()));
  const Fr r = fr_r();
  for (const auto& c : pk.coefs) {
    if (c.matrix > 1 || c.row >= h.domain_size || c.wire >= h.n_vars)
      bad("coefficient entry out of range");
    w.u32(c.matrix);
    w.u32(c.row);
    w.u32(c.wire);
    Fr v = c.value * r;  // value: coef·R (its Montgomery form: coef·R²)
    w.bytes(v.montgomery().data(), 32);
  }
  w.end_section();

  w.begin_section(5);
  write_g1s(w, pk.a);
  w.end_section();
  w.begin_section(6);
  write_g1s(w, pk.b1);
  w.end_section();
  w.begin_section(7);
  write_g2s(w, pk.b2);
  w.end_section();
  w.begin_section(8);
  write_g1s(w, pk.c);
  w.end_section();
  w.begin_section(9);
  write_g1s(w, pk.h);
  w.end_section();

  // Contributions: the 64-byte circuit hash (not computed: zeros) and none.
  w.begin_section(10);
  uint8_t zeros[64] = {};
  w.bytes(zeros, sizeof zeros);
  w.u32(0);
  w.end_section();
  w.close();
}

// --- Reader -------------------------------------------------------------------------

ZkeyReader::~ZkeyReader() = default;

const std::string& ZkeyReader::path() const {
  return file_->path();
}

size_t ZkeyReader::file_size() const {
  return file_->file().bytes().size();
}

ZkeyReader::ZkeyReader(const std::string& path)
    : file_(std::make_unique<BinFileReader>(path, "zkey", std::initializer_list<uint32_t>{1})) {
  const BinFileReader& f = *file_;
  {
    ByteCursor c = f.cursor(1);
    uint32_t protocol = c.u32();
    c.expect_end();
    if (protocol != 1) c.fail("prover type " + std::to_string(protocol) + " is not Groth16 (1)");
  }
  {
    ByteCursor c = f.cursor(2);
    if (c.remaining() != kHeaderBytes)
      c.fail("section size mismatch: " + std::to_string(c.remaining()) + " bytes, expected " +
             std::to_string(kHeaderBytes));
    expect_fq_prime(c);
    expect_fr_prime(c);
    header_.n_vars = c.u32();
    header_.n_public = c.u32();
    header_.domain_size = c.u32();
    const uint32_t d = header_.domain_size;
    if (d == 0 || (d & (d - 1)) != 0 || d > (1u << 28))
      c.fail("domain size " + std::to_string(d) + " is not a power of two ≤ 2^28");
    if (header_.n_vars == 0 || header_.n_public >= header_.n_vars)
      c.fail("nPublic " + std::to_string(header_.n_public) + " must be < nVars " +
             std::to_string(header_.n_vars));
    if (uint64_t(header_.n_public) + 1 > d) c.fail("domain too small for the public inputs");
    struct {
      const char* name;
      G1Affine* p;
    } g1s[] = {{"alpha1", &header_.alpha1}, {"beta1", &header_.beta1}};
    for (auto& g : g1s) {
      if (const char* err = decode_g1(c.take(kG1Bytes).data(), *g.p))
        c.fail(std::string(g.name) + ": " + err);
    }
    struct {
      const char* name;
      G2Affine* p;
    } g2s[] = {{"beta2", &header_.beta2}, {"gamma2", &header_.gamma2}};
    for (auto& g : g2s) {
      if (const char* err = decode_g2(c.take(kG2Bytes).data(), *g.p))
        c.fail(std::string(g.name) + ": " + err);
    }
    if (const char* err = decode_g1(c.take(kG1Bytes).data(), header_.delta1))
      c.fail(std::string("delta1: ") + err);
    if (const char* err = decode_g2(c.take(kG2Bytes).data(), header_.delta2))
      c.fail(std::string("delta2: ") + err);
    for (auto [name, p] : {std::pair{"beta2", &header_.beta2}, std::pair{"gamma2", &header_.gamma2},
                           std::pair{"delta2", &header_.delta2}})
      if (!p->infinity && !curve::g2_in_subgroup(*p)) c.fail(std::string(name) + " is not in G2");
  }
  auto expect_size = [&](uint32_t id, uint64_t want, const std::string& what) {
    auto s = f.section(id);
    if (s.size() != want)
      f.fail("section " + std::to_string(id) + " (" + section_name(id) +
             ") size mismatch: " + std::to_string(s.size()) + " bytes, expected " +
             std::to_string(want) + " for " + what);
  };
  const uint64_t nv = header_.n_vars, np = header_.n_public, d = header_.domain_size;
  expect_size(3, (np + 1) * kG1Bytes, std::to_string(np + 1) + " points");
  expect_size(5, nv * kG1Bytes, std::to_string(nv) + " points");
  expect_size(6, nv * kG1Bytes, std::to_string(nv) + " points");
  expect_size(7, nv * kG2Bytes, std::to_string(nv) + " points");
  expect_size(8, (nv - np - 1) * kG1Bytes, std::to_string(nv - np - 1) + " points");
  expect_size(9, d * kG1Bytes, std::to_string(d) + " points");
  {
    ByteCursor c = f.cursor(4);
    n_coefs_ = c.u32();
    if (c.remaining() != uint64_t(n_coefs_) * kCoefBytes)
      c.fail("section size mismatch: " + std::to_string(c.remaining()) + " bytes for " +
             std::to_string(n_coefs_) + " coefficients of 44 bytes");
    for (size_t i = 0; i < n_coefs_; ++i) {
      uint32_t m = c.u32(), row = c.u32(), wire = c.u32();
      auto v = c.take(32);
      if (m > 1) c.fail("coefficient " + std::to_string(i) + ": matrix " + std::to_string(m));
      if (row >= d)
        c.fail("coefficient " + std::to_string(i) + ": row " + std::to_string(row) +
               " ≥ domain size");
      if (wire >= nv)
        c.fail("coefficient " + std::to_string(i) + ": wire " + std::to_string(wire) +
               " out of range (nVars " + std::to_string(nv) + ")");
      if (!field::limbs_less(load_limbs(v.data()), Fr::kModulus))
        c.fail("coefficient " + std::to_string(i) + ": value is not canonical (≥ r)");
    }
  }
  if (!f.has_section(10)) f.fail("missing section 10 (contributions)");
  for (uint32_t id = 3; id <= 9; ++id)
    sections_[id] = f.section(id);
}

size_t ZkeyReader::num_points(Section s) const {
  return sections_[s].size() / (s == kB2 ? kG2Bytes : kG1Bytes);
}

G1Affine ZkeyReader::g1_point(Section s, size_t i) const {
  G1Affine p;
  if (const char* err = decode_g1(sections_[s].data() + i * kG1Bytes, p))
    file_->fail(std::string("section ") + std::to_string(s) + " (" + section_name(s) + ") point " +
                std::to_string(i) + ": " + err);
  return p;
}

G2Affine ZkeyReader::b2_point(size_t i) const {
  G2Affine p;
  if (const char* err = decode_g2(sections_[kB2].data() + i * kG2Bytes, p))
    file_->fail("section 7 (B2) point " + std::to_string(i) + ": " + err);
  return p;
}

std::span<const uint8_t> ZkeyReader::coefficient_bytes() const {
  return file_->section(kCoefs).subspan(4);
}

ZkeyCoefficient ZkeyReader::coefficient(size_t i) const {
  const uint8_t* p = coefficient_bytes().data() + i * kCoefBytes;
  ZkeyCoefficient c;
  std::memcpy(&c.matrix, p, 4);
  std::memcpy(&c.row, p + 4, 4);
  std::memcpy(&c.wire, p + 8, 4);
  // Montgomery form coef·R² → the element coef·R; divide by R.
  c.value = Fr::from_montgomery_unchecked(load_limbs(p + 12)) * fr_r().inverse();
  return c;
}

std::vector<G1Affine> ZkeyReader::g1_points(Section s, unsigned threads) const {
  if (s == kB2 || s == kCoefs) throw InvalidInput("internal: not a G1 section");
  auto bytes = file_->section(s);
  const size_t n = bytes.size() / kG1Bytes;
  std::vector<G1Affine> out(n);
  base::parallel_for(
      n, threads,
      [&](size_t b, size_t e) {
        for (size_t i = b; i < e; ++i) {
          if (const char* err = decode_g1(bytes.data() + i * kG1Bytes, out[i]))
            file_->fail(std::string("section ") + std::to_string(s) + " (" + section_name(s) +
                        ") point " + std::to_string(i) + ": " + err);
        }
      },
      4096);
  return out;
}

std::vector<G2Affine> ZkeyReader::b2_points(unsigned threads) const {
  auto bytes = file_->section(kB2);
  const size_t n = bytes.size() / kG2Bytes;
  std::vector<G2Affine> out(n);
  base::parallel_for(
      n, threads,
      [&](size_t b, size_t e) {
        for (size_t i = b; i < e; ++i) {
          if (const char* err = decode_g2(bytes.data() + i * kG2Bytes, out[i]))
            file_->fail("section 7 (B2) point " + std::to_string(i) + ": " + err);
        }
      },
      2048);
  return out;
}

void ZkeyReader::release(Section s) const {
  file_->file().dont_need(file_->section_offset(s), file_->section(s).size());
}

void ZkeyReader::check_points(unsigned threads) const {
  for (Section s : {kIc, kA, kB1, kC, kH}) {
    g1_points(s, threads);
    release(s);
  }
  auto b2 = b2_points(threads);
  base::parallel_for(
      b2.size(), threads,
      [&](size_t b, size_t e) {
        for (size_t i = b; i < e; ++i)
          if (!b2[i].infinity && !curve::g2_in_subgroup(b2[i]))
            file_->fail("section 7 (B2) point " + std::to_string(i) + " is not in G2");
      },
      64);
  release(kB2);
}

ProvingKey ZkeyReader::read_all(unsigned threads) const {
  ProvingKey pk;
  pk.header = header_;
  pk.ic = g1_points(kIc, threads);
  pk.coefs.reserve(n_coefs_);
  for (size_t i = 0; i < n_coefs_; ++i)
    pk.coefs.push_back(coefficient(i));
  pk.a = g1_points(kA, threads);
  pk.b1 = g1_points(kB1, threads);
  pk.b2 = b2_points(threads);
  pk.c = g1_points(kC, threads);
  pk.h = g1_points(kH, threads);
  return pk;
}

VerificationKey ZkeyReader::verification_key() const {
  VerificationKey vk;
  vk.alpha1 = header_.alpha1;
  vk.beta2 = header_.beta2;
  vk.gamma2 = header_.gamma2;
  vk.delta2 = header_.delta2;
  vk.ic = g1_points(kIc, 1);
  vk.alphabeta12 = snarkjs_alphabeta(vk.alpha1, vk.beta2);
  return vk;
}

}  // namespace codex::prover::groth16
