// The iden3 binary container shared by .r1cs, .wtns, .zkey and .ptau files
// (spec/proofs.md §5): 4-byte magic, u32 version, u32 section count, then per
// section u32 id, u64 byte length, payload; all integers little-endian.
//
// BinFileReader memory-maps the file (read-only, RAII) and indexes sections by
// id — writers do not emit them in id order. Every length is checked against
// the file size; any violation throws InvalidInput naming the file.
// BinFileWriter streams sections to a file and patches each length on close.
//
// Readers are immutable after construction and may be shared across threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <initializer_list>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "prover/field/bn254.h"

namespace codex::prover::formats {

// A read-only memory mapping of a whole file. Throws InvalidInput if the file
// cannot be opened or mapped. An empty file maps to an empty span.
class MappedFile {
 public:
  explicit MappedFile(const std::string& path);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  std::span<const uint8_t> bytes() const { return {data_, size_}; }
  const std::string& path() const { return path_; }
  // Hints for the kernel: read [offset, offset+len) soon / drop it from memory
  // (pages are re-read from the file if touched again). Best effort.
  void will_need(size_t offset, size_t len) const;
  void dont_need(size_t offset, size_t len) const;

 private:
  std::string path_;
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

// A bounds-checked little-endian cursor over bytes; errors name `where`.
class ByteCursor {
 public:
  ByteCursor(std::span<const uint8_t> bytes, std::string where)
      : bytes_(bytes), where_(std::move(where)) {}

  uint32_t u32();
  uint64_t u64();
  std::span<const uint8_t> take(size_t n);
  size_t offset() const { return pos_; }
  size_t remaining() const { return bytes_.size() - pos_; }
  // Throws unless every byte has been consumed.
  void expect_end() const;
  [[noreturn]] void fail(const std::string& what) const;

 private:
  std::span<const uint8_t> bytes_;
  std::string where_;
  size_t pos_ = 0;
};

class BinFileReader {
 public:
  // Maps `path` and checks the magic (4 bytes) and that the version is one of
  // `versions`; indexes every section.
  BinFileReader(const std::string& path, std::string_view magic,
                std::initializer_list<uint32_t> versions);

  uint32_t version() const { return version_; }
  bool has_section(uint32_t id) const { return sections_.count(id) != 0; }
  // The payload of section `id`. Throws if it is absent or appears twice.
  std::span<const uint8_t> section(uint32_t id) const;
  // Byte offset of section `id`'s payload in the file.
  size_t section_offset(uint32_t id) const;
  const MappedFile& file() const { return file_; }
  const std::string& path() const { return file_.path(); }
  // A cursor over section `id` whose errors name the file and the section.
  ByteCursor cursor(uint32_t id) const;

  [[noreturn]] void fail(const std::string& what) const;

 private:
  MappedFile file_;
  uint32_t version_ = 0;
  std::map<uint32_t, std::vector<std::pair<size_t, size_t>>> sections_;  // id → (offset, len)
};

// Reads the (n8, prime) pair of a header and checks it names Fr (n8 = 32).
void expect_fr_prime(ByteCursor& c);
// Reads the (n8, prime) pair of a header and checks it names Fq (n8 = 32).
void expect_fq_prime(ByteCursor& c);

// Standard-form Fr from 32 LE bytes; throws via `c` if ≥ r.
Fr read_fr_canonical(ByteCursor& c, const char* what);

class BinFileWriter {
 public:
  // Creates (truncates) `path`. Throws InvalidInput if it cannot.
  BinFileWriter(const std::string& path, std::string_view magic, uint32_t version,
                uint32_t n_sections);
  ~BinFileWriter();
  BinFileWriter(const BinFileWriter&) = delete;
  BinFileWriter& operator=(const BinFileWriter&) = delete;

  void begin_section(uint32_t id);
  void end_section();  // patches the section length
  void bytes(const void* p, size_t n);
  void u32(uint32_t v);
  void u64(uint64_t v);
  void fr_standard(const Fr& x);  // 32 bytes LE canonical value
  // (n8 = 32, modulus) of Fr / Fq.
  void fr_prime();
  void fq_prime();
  // Flushes and closes; throws InvalidInput on any I/O error. Called by the
  // destructor too (errors ignored there), so call it explicitly.
  void close();

 private:
  [[noreturn]] void fail(const std::string& what);

  std::string path_;
  std::FILE* f_ = nullptr;
  long long section_start_ = -1;
  uint32_t declared_ = 0, written_ = 0;
};

}  // namespace codex::prover::formats
