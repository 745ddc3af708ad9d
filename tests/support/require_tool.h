#pragma once
// Tests that need something from outside the test program (node, anvil,
// snarkjs, setpriv, a program of this build, an embedded artifact) state it
// with CODEX_REQUIRE_TOOL. When it is missing:
//   - under CI (the environment variable CI set, and not "", "0" or "false";
//     .ci/run exports CI=true) the test FAILS: a CI run without its tools must
//     not turn green;
//   - otherwise the test is SKIPPED with a loud message, so a developer without
//     the tools still gets a useful run (scripts/setup installs them).
// A macro because GTEST_SKIP / GTEST_FAIL return from the calling function
// (a test body or SetUp()).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <string_view>

namespace codex::testing {

inline bool in_ci() {
  const char* ci = std::getenv("CI");
  if (ci == nullptr) return false;
  std::string_view v = ci;
  return !(v.empty() || v == "0" || v == "false" || v == "FALSE" || v == "False");
}

// True if `path` names a file this process may execute.
inline bool executable(const std::string& path) {
  return ::access(path.c_str(), X_OK) == 0;
}

// True if `node` runs from the PATH.
inline bool node_runs() {
  return std::system("node --version > /dev/null 2>&1") == 0;
}

}  // namespace codex::testing

// `available`: whether the tool is there; `what`: what is missing, for the message.
#define CODEX_REQUIRE_TOOL(available, what)                                                  \
  do {                                                                                       \
    if (!(available)) {                                                                      \
      if (::codex::testing::in_ci())                                                         \
        GTEST_FAIL() << "MISSING TOOL under CI: " << what                                    \
                     << " (scripts/setup installs the tools; a CI run must not skip)";       \
      GTEST_SKIP() << "MISSING TOOL, test SKIPPED: " << what                                 \
                   << " (scripts/setup installs the tools; with CI=true this is a failure)"; \
    }                                                                                        \
  } while (0)
