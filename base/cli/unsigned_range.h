// A CLI11 validator for unsigned integer options, used by both programs
// (codex-agent, codex-prover) and the bench programs. base/cli is the one
// part of base/ that uses a library besides the standard one: CLI11, and only
// in headers (DESIGN.md). CLI11 (2.1) converts unsigned options
// with strtoull, which wraps a leading minus ("-18446744073709551615" becomes
// 1), clamps an overflow to 2^64 − 1 and reads a leading 0 as octal; its
// Range and NonNegativeNumber validators convert the same way (or through a
// double) and so cannot see these. UnsignedRange checks the text itself before
// the conversion: decimal digits only, no leading zero, the value in [min, max].
#pragma once

#include <CLI/CLI.hpp>
#include <charconv>
#include <cstdint>
#include <limits>
#include <string>

namespace codex::base::cli {

class UnsignedRange : public CLI::Validator {
 public:
  explicit UnsignedRange(uint64_t min = 0, uint64_t max = std::numeric_limits<uint64_t>::max())
      : CLI::Validator("[" + std::to_string(min) + " - " + std::to_string(max) + "]") {
    func_ = [min, max](std::string& input) -> std::string {
      const auto range = std::to_string(min) + " to " + std::to_string(max);
      if (input.empty() || input.find_first_not_of("0123456789") != std::string::npos)
        return input + " is not a non-negative decimal integer (" + range + ")";
      // strtoull would read it as octal (CLI11's check() cannot rewrite the text).
      if (input.size() > 1 && input[0] == '0')
        return input + " has a leading zero (write the decimal number without it)";
      uint64_t v = 0;
      const auto [end, ec] = std::from_chars(input.data(), input.data() + input.size(), v);
      if (ec != std::errc() || end != input.data() + input.size() || v < min || v > max)
        return input + " is out of range (" + range + ")";
      return {};
    };
  }
};

}  // namespace codex::base::cli
