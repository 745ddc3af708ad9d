// What every harness asserts. A parser's contract is "a value or the
// documented exception": a harness catches the documented exception types and
// lets anything else escape, which aborts (a finding). FUZZ_CHECK states the
// properties of a value (round trips, bounds) and aborts when one fails, so
// that libFuzzer and the replay main both report it.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string>
#include <string_view>

#define FUZZ_CHECK(cond)                                                                 \
  do {                                                                                   \
    if (!(cond)) {                                                                       \
      std::fprintf(stderr, "%s:%d: FUZZ_CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                      \
    }                                                                                    \
  } while (0)

namespace codex::fuzz {

inline std::span<const uint8_t> bytes(const uint8_t* data, size_t size) {
  return {data, size};
}
inline std::string_view text(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

}  // namespace codex::fuzz
