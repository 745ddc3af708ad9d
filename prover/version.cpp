#include "prover/version.h"
namespace codex::prover {
const char* version() { return "0.1.0"; }
}
