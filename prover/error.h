// Errors thrown by the prover library.
//
// Every function that parses or validates outside input (strings, bytes,
// parameters) throws InvalidInput with a message that names the offending
// value; callers (the CLI, the agent) print what() as is.
#pragma once

#include <stdexcept>
#include <string>

namespace codex::prover {

// Malformed or out-of-range input: non-canonical field strings, wrong byte
// lengths, inconsistent sizes, out-of-range indices.
class InvalidInput : public std::invalid_argument {
 public:
  explicit InvalidInput(const std::string& what) : std::invalid_argument(what) {}
};

}  // namespace codex::prover
