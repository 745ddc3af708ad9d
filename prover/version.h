#pragma once
namespace codex::prover {
const char* version();
}
