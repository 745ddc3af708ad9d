#pragma once
// Tests (or parts of tests) that cannot run under a sanitizer (cmake/Sanitizers.cmake,
// scripts/sanitize) say so with CODEX_SKIP_UNDER_SANITIZER(which, reason): the test is
// SKIPPED with a message starting "SANITIZER:" that gives the reason, never silently.
// `which` is "address", "thread" or "undefined"; a test skips when the build's
// CODEX_SANITIZE list names it.
#include <gtest/gtest.h>

#include <string_view>

namespace codex::testing {

// The sanitizers this build runs with ("address,undefined", "thread", or "").
inline constexpr std::string_view sanitizers() {
#ifdef CODEX_SANITIZE
  return CODEX_SANITIZE;
#else
  return "";
#endif
}

inline constexpr bool sanitized_with(std::string_view which) {
  return sanitizers().find(which) != std::string_view::npos;
}

// How many times longer sanitized code takes to start and run (about 2-15x): tests that
// kill a child after a delay scale the delay by it so that the child still gets to work.
inline constexpr int sanitizer_slowdown() {
  return sanitizers().empty() ? 1 : 10;
}

}  // namespace codex::testing

#define CODEX_SKIP_UNDER_SANITIZER(which, reason)                              \
  do {                                                                         \
    if (::codex::testing::sanitized_with(which))                               \
      GTEST_SKIP() << "SANITIZER: skipped under " << (which) << " ("           \
                   << ::codex::testing::sanitizers() << " build): " << reason; \
  } while (0)
