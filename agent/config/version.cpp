#include "agent/config/version.h"
namespace codex::agent {
const char* version() {
  return "0.1.0";
}
}  // namespace codex::agent
