#pragma once
namespace codex::agent {
const char* version();
}
