#pragma once
// UTF-8 well-formedness (RFC 3629): what the API accepts in names it stores
// and what it may put in a JSON answer. Pure, thread-safe.
#include <cstddef>
#include <string>
#include <string_view>

namespace codex::agent {

// Length of the well-formed UTF-8 sequence at the start of `s` (no overlong
// forms, no surrogates, nothing above U+10FFFF), or 0 if there is none.
size_t utf8_sequence(std::string_view s);

bool is_valid_utf8(std::string_view s);

}  // namespace codex::agent
