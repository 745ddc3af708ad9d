// Errors thrown by the prover library.
//
// Every function that parses or validates outside input (strings, bytes,
// parameters) throws InvalidInput with a message that names the offending
// value; callers (the CLI, the agent) print what() as is.
#pragma once

#include "base/error.h"

namespace codex::prover {

// Malformed or out-of-range input: non-canonical field strings, wrong byte
// lengths, inconsistent sizes, out-of-range indices. The shared family
// itself (a std::invalid_argument), so that what base/ throws for the prover
// (hex, indexing) is caught where the prover's own errors are.
using InvalidInput = base::InvalidInput;

}  // namespace codex::prover
