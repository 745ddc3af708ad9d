#pragma once
// A TCP port on 127.0.0.1 that nothing listens on right now (the kernel's
// pick). Another program may take it before ours binds it; callers retry.
#include <cstdint>

namespace codex::devnet {

uint16_t free_port();

}  // namespace codex::devnet
