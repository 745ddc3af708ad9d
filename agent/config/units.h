#pragma once
// Human-friendly sizes and durations for options and config files, as the
// reference accepts them: "20GiB", "512MB", "1024" (bytes); "10s", "5m", "30d".
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace codex::agent {

// Bytes. Suffixes (case-insensitive): B, K/KB/KiB, M/MB/MiB, G/GB/GiB, T/TB/TiB;
// decimal (KB = 1000) and binary (KiB = 1024); bare K/M/G/T are binary.
// Throws std::invalid_argument with the reason (empty, bad number, unknown
// suffix, overflow).
uint64_t parse_size(std::string_view text);

// Seconds. Suffixes: ms is rejected (whole seconds only), s, m, h, d, w; a bare
// number is seconds. Throws std::invalid_argument.
std::chrono::seconds parse_duration(std::string_view text);

std::string format_size(uint64_t bytes);  // "1.5 GiB"

}  // namespace codex::agent
