#include "prover/field/bigint.h"

#include <gmp.h>

#include <cctype>

#include "prover/error.h"

namespace codex::prover::field {
namespace {

// Owns one mpz_t for the duration of a call.
class Mpz {
 public:
  Mpz() { mpz_init(v_); }
  ~Mpz() { mpz_clear(v_); }
  Mpz(const Mpz&) = delete;
  Mpz& operator=(const Mpz&) = delete;
  mpz_ptr get() { return v_; }

 private:
  mpz_t v_;
};

void set_limbs(mpz_ptr z, const uint64_t* a, size_t n) {
  mpz_import(z, n, -1, sizeof(uint64_t), 0, 0, a);
}

// Writes z (0 ≤ z < 2^(64n)) to n limbs.
void get_limbs(uint64_t* out, mpz_srcptr z, size_t n) {
  for (size_t i = 0; i < n; ++i)
    out[i] = 0;
  size_t count = 0;
  mpz_export(out, &count, -1, sizeof(uint64_t), 0, 0, z);
}

constexpr size_t kMaxDigits = 1024;

std::string shown(std::string_view s) {
  if (s.size() <= 90) return std::string(s);
  return std::string(s.substr(0, 80)) + "...";
}

}  // namespace

void parse_integer(std::string_view s, int base, uint64_t* out, size_t n) {
  std::string_view digits = s;
  if (base == 16 && digits.size() >= 2 && digits[0] == '0' &&
      (digits[1] == 'x' || digits[1] == 'X')) {
    digits.remove_prefix(2);
  }
  const char* kind = base == 16 ? "hexadecimal" : "decimal";
  if (digits.empty()) {
    throw InvalidInput(std::string("empty ") + kind + " integer \"" + shown(s) + "\"");
  }
  if (digits.size() > kMaxDigits) {
    throw InvalidInput(std::string(kind) + " integer too long (" + std::to_string(s.size()) +
                       " characters)");
  }
  for (char c : digits) {
    bool ok =
        base == 16 ? std::isxdigit(static_cast<unsigned char>(c)) != 0 : (c >= '0' && c <= '9');
    if (!ok) {
      throw InvalidInput(std::string("invalid character in ") + kind + " integer \"" + shown(s) +
                         "\"");
    }
  }
  Mpz z;
  std::string buf(digits);
  if (mpz_set_str(z.get(), buf.c_str(), base) != 0) {
    throw InvalidInput(std::string("invalid ") + kind + " integer \"" + shown(s) + "\"");
  }
  if (mpz_sizeinbase(z.get(), 2) > 64 * n) {
    throw InvalidInput(std::string(kind) + " integer \"" + shown(s) + "\" does not fit in " +
                       std::to_string(64 * n) + " bits");
  }
  get_limbs(out, z.get(), n);
}

std::string format_integer(const uint64_t* a, size_t n, int base) {
  Mpz z;
  set_limbs(z.get(), a, n);
  std::string s(mpz_sizeinbase(z.get(), base) + 2, '\0');
  mpz_get_str(s.data(), base, z.get());
  s.resize(std::char_traits<char>::length(s.c_str()));
  return base == 16 ? "0x" + s : s;
}

bool invert_mod(uint64_t* r, const uint64_t* a, const uint64_t* m, size_t n) {
  Mpz za, zm, zr;
  set_limbs(za.get(), a, n);
  set_limbs(zm.get(), m, n);
  if (mpz_invert(zr.get(), za.get(), zm.get()) == 0) return false;
  get_limbs(r, zr.get(), n);
  return true;
}

void reduce_bytes_le(uint64_t* r, std::span<const uint8_t> bytes, const uint64_t* m, size_t n) {
  Mpz z, zm;
  mpz_import(z.get(), bytes.size(), -1, 1, 0, 0, bytes.data());
  set_limbs(zm.get(), m, n);
  mpz_mod(z.get(), z.get(), zm.get());
  get_limbs(r, z.get(), n);
}

}  // namespace codex::prover::field
