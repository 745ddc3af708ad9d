#include "prover/formats/binfile.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "prover/error.h"

namespace codex::prover::formats {

namespace {

uint32_t load_u32(const uint8_t* p) {
  return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}

uint64_t load_u64(const uint8_t* p) {
  return uint64_t(load_u32(p)) | uint64_t(load_u32(p + 4)) << 32;
}

template <class Limbs>
void expect_prime(ByteCursor& c, const Limbs& modulus, const char* name) {
  uint32_t n8 = c.u32();
  if (n8 != 32) c.fail("field element size " + std::to_string(n8) + ", expected 32");
  auto p = c.take(32);
  for (size_t i = 0; i < 32; ++i) {
    if (p[i] != uint8_t(modulus[i / 8] >> (8 * (i % 8))))
      c.fail(std::string("prime is not the ") + name + " modulus");
  }
}

}  // namespace

// --- MappedFile -------------------------------------------------------------

MappedFile::MappedFile(const std::string& path) : path_(path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw InvalidInput(path + ": cannot open: " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    throw InvalidInput(path + ": not a regular file");
  }
  size_ = size_t(st.st_size);
  if (size_ > 0) {
    void* p = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) {
      int err = errno;
      ::close(fd);
      throw InvalidInput(path + ": cannot map: " + std::strerror(err));
    }
    data_ = static_cast<const uint8_t*>(p);
  }
  ::close(fd);
}

MappedFile::~MappedFile() {
  if (data_ != nullptr) ::munmap(const_cast<uint8_t*>(data_), size_);
}

void MappedFile::will_need(size_t offset, size_t len) const {
  if (data_ == nullptr || offset >= size_) return;
  size_t page = size_t(::sysconf(_SC_PAGESIZE));
  size_t start = offset / page * page;
  len = std::min(len, size_ - offset) + (offset - start);
  ::madvise(const_cast<uint8_t*>(data_) + start, len, MADV_WILLNEED);
}

void MappedFile::dont_need(size_t offset, size_t len) const {
  if (data_ == nullptr || offset >= size_) return;
  size_t page = size_t(::sysconf(_SC_PAGESIZE));
  // Only whole pages inside the range.
  size_t start = (offset + page - 1) / page * page;
  size_t end = std::min(offset + len, size_) / page * page;
  if (end > start) ::madvise(const_cast<uint8_t*>(data_) + start, end - start, MADV_DONTNEED);
}

// --- ByteCursor ---------------------------------------------------------------

void ByteCursor::fail(const std::string& what) const {
  throw InvalidInput(where_ + ": " + what);
}

std::span<const uint8_t> ByteCursor::take(size_t n) {
  if (n > remaining())
    fail("truncated (need " + std::to_string(n) + " bytes at offset " + std::to_string(pos_) +
         ", " + std::to_string(remaining()) + " left)");
  auto r = bytes_.subspan(pos_, n);
  pos_ += n;
  return r;
}

uint32_t ByteCursor::u32() {
  return load_u32(take(4).data());
}

uint64_t ByteCursor::u64() {
  return load_u64(take(8).data());
}

void ByteCursor::expect_end() const {
  if (remaining() != 0)
    fail("section size mismatch: " + std::to_string(remaining()) + " unexpected trailing bytes");
}

void expect_fr_prime(ByteCursor& c) {
  expect_prime(c, Fr::kModulus, "BN254 scalar field (r)");
}

void expect_fq_prime(ByteCursor& c) {
  expect_prime(c, Fq::kModulus, "BN254 base field (q)");
}

Fr read_fr_canonical(ByteCursor& c, const char* what) {
  size_t at = c.offset();
  auto b = c.take(32);
  Fr::Repr a{};
  for (size_t i = 0; i < 32; ++i)
    a[i / 8] |= uint64_t(b[i]) << (8 * (i % 8));
  if (!field::limbs_less(a, Fr::kModulus))
    c.fail(std::string(what) + " at offset " + std::to_string(at) +
           " is not a canonical field element (≥ r)");
  return Fr::from_canonical_unchecked(a);
}

// --- BinFileReader --------------------------------------------------------------

BinFileReader::BinFileReader(const std::string& path, std::string_view magic,
                             std::initializer_list<uint32_t> versions)
    : file_(path) {
  auto b = file_.bytes();
  if (b.size() < 12) fail("too short for an iden3 binary file header");
  if (std::memcmp(b.data(), magic.data(), 4) != 0)
    fail("wrong magic (expected \"" + std::string(magic) + "\")");
  version_ = load_u32(b.data() + 4);
  bool ok = false;
  for (uint32_t v : versions)
    ok |= v == version_;
  if (!ok) fail("unsupported " + std::string(magic) + " version " + std::to_string(version_));
  uint32_t n = load_u32(b.data() + 8);
  size_t pos = 12;
  for (uint32_t i = 0; i < n; ++i) {
    if (b.size() - pos < 12)
      fail("truncated section header " + std::to_string(i) + " of " + std::to_string(n));
    uint32_t id = load_u32(b.data() + pos);
    uint64_t len = load_u64(b.data() + pos + 4);
    pos += 12;
    if (len > b.size() - pos)
      fail("section " + std::to_string(id) + " claims " + std::to_string(len) + " bytes, only " +
           std::to_string(b.size() - pos) + " left (truncated file?)");
    sections_[id].push_back({pos, size_t(len)});
    pos += size_t(len);
  }
  if (pos != b.size())
    fail(std::to_string(b.size() - pos) + " trailing bytes after the last section");
}

void BinFileReader::fail(const std::string& what) const {
  throw InvalidInput(path() + ": " + what);
}

size_t BinFileReader::section_offset(uint32_t id) const {
  auto it = sections_.find(id);
  if (it == sections_.end()) fail("missing section " + std::to_string(id));
  if (it->second.size() != 1) fail("section " + std::to_string(id) + " appears more than once");
  return it->second[0].first;
}

std::span<const uint8_t> BinFileReader::section(uint32_t id) const {
  size_t off = section_offset(id);
  return file_.bytes().subspan(off, sections_.at(id)[0].second);
}

ByteCursor BinFileReader::cursor(uint32_t id) const {
  return ByteCursor(section(id), path() + ": section " + std::to_string(id));
}

// --- BinFileWriter --------------------------------------------------------------

BinFileWriter::BinFileWriter(const std::string& path, std::string_view magic, uint32_t version,
                             uint32_t n_sections)
    : path_(path), declared_(n_sections) {
  f_ = std::fopen(path.c_str(), "wb");
  if (f_ == nullptr) throw InvalidInput(path + ": cannot create: " + std::strerror(errno));
  std::setvbuf(f_, nullptr, _IOFBF, 1 << 20);
  bytes(magic.data(), 4);
  u32(version);
  u32(n_sections);
}

BinFileWriter::~BinFileWriter() {
  if (f_ != nullptr) std::fclose(f_);
}

void BinFileWriter::fail(const std::string& what) {
  if (f_ != nullptr) {
    std::fclose(f_);
    f_ = nullptr;
  }
  throw InvalidInput(path_ + ": " + what);
}

void BinFileWriter::bytes(const void* p, size_t n) {
  if (f_ == nullptr) throw InvalidInput(path_ + ": write after close");
  if (n != 0 && std::fwrite(p, 1, n, f_) != n)
    fail(std::string("write failed: ") + std::strerror(errno));
}

void BinFileWriter::u32(uint32_t v) {
  uint8_t b[4];
  for (int i = 0; i < 4; ++i)
    b[i] = uint8_t(v >> (8 * i));
  bytes(b, 4);
}

void BinFileWriter::u64(uint64_t v) {
  uint8_t b[8];
  for (int i = 0; i < 8; ++i)
    b[i] = uint8_t(v >> (8 * i));
  bytes(b, 8);
}

void BinFileWriter::fr_standard(const Fr& x) {
  auto b = x.to_bytes_le();
  bytes(b.data(), b.size());
}

void BinFileWriter::fr_prime() {
  u32(32);
  uint8_t b[32];
  for (size_t i = 0; i < 32; ++i)
    b[i] = uint8_t(Fr::kModulus[i / 8] >> (8 * (i % 8)));
  bytes(b, 32);
}

void BinFileWriter::fq_prime() {
  u32(32);
  uint8_t b[32];
  for (size_t i = 0; i < 32; ++i)
    b[i] = uint8_t(Fq::kModulus[i / 8] >> (8 * (i % 8)));
  bytes(b, 32);
}

void BinFileWriter::begin_section(uint32_t id) {
  if (section_start_ >= 0) fail("internal: nested section");
  if (written_ == declared_) fail("internal: more sections than declared");
  u32(id);
  u64(0);  // patched by end_section
  section_start_ = ::ftello(f_);
}

void BinFileWriter::end_section() {
  if (section_start_ < 0) fail("internal: end_section without begin_section");
  long long end = ::ftello(f_);
  uint64_t len = uint64_t(end - section_start_);
  if (::fseeko(f_, section_start_ - 8, SEEK_SET) != 0) fail("seek failed");
  u64(len);
  if (::fseeko(f_, end, SEEK_SET) != 0) fail("seek failed");
  section_start_ = -1;
  ++written_;
}

void BinFileWriter::close() {
  if (f_ == nullptr) return;
  if (section_start_ >= 0 || written_ != declared_)
    fail("internal: " + std::to_string(written_) + " of " + std::to_string(declared_) +
         " sections written");
  bool ok = std::fflush(f_) == 0;
  ok &= std::fclose(f_) == 0;
  f_ = nullptr;
  if (!ok) throw InvalidInput(path_ + ": write failed: " + std::strerror(errno));
}

}  // namespace codex::prover::formats
