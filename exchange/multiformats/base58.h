#pragma once
// Base58 with the Bitcoin alphabet (multibase 'z').
#include <span>
#include <string>
#include <string_view>

namespace codex::base58 {

std::string encode(std::span<const uint8_t> bytes);
// Throws FormatError on a character outside the alphabet.
std::string decode(std::string_view text);

}  // namespace codex::base58
