#pragma once
#include <string>
#include <string_view>

namespace codex::agent {

// Configures spdlog's default logger on stderr. level: trace, debug, info,
// warn, error, critical, off. format: auto (colours on a terminal), colors,
// nocolors, json, none. Throws std::invalid_argument for unknown values.
// json: one JSON object per line, {"time","level","msg"}; every message is
// escaped (json_escape), so each line parses whatever was logged.
void setup_logging(const std::string& level, const std::string& format);

// `text` as the inside of a JSON string: quotes and backslashes escaped,
// control characters (and DEL) as \n, \t, … or \u00XX, and each byte that is
// not part of well-formed UTF-8 replaced by U+FFFD (log messages carry peer
// input, file names and RPC replies: nothing guarantees they are UTF-8).
std::string json_escape(std::string_view text);

}  // namespace codex::agent
