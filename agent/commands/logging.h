#pragma once
#include <spdlog/common.h>

#include <string>
#include <string_view>

namespace codex::agent {

// The level of a --log-level value, in the reference's syntax: levels in any
// case (trace, debug, info, notice, warn, error, fatal, none, and spdlog's
// names), and per-topic entries "info;trace:restapi,blockexc", whose topics
// the agent does not have: their levels are checked, then ignored. An
// empty value is info. Throws std::invalid_argument for unknown levels.
spdlog::level::level_enum parse_log_level(const std::string& spec);

// Configures spdlog's default logger on stderr. level: as parse_log_level. format: auto (colours on
// a terminal), colors, nocolors, json, none. Throws std::invalid_argument for unknown values. json:
// one JSON object per line, {"time","level","msg"}; every message is escaped (json_escape), so each
// line parses whatever was logged.
void setup_logging(const std::string& level, const std::string& format);

// `text` as the inside of a JSON string: quotes and backslashes escaped,
// control characters (and DEL) as \n, \t, … or \u00XX, and each byte that is
// not part of well-formed UTF-8 replaced by U+FFFD (log messages carry peer
// input, file names and RPC replies: nothing guarantees they are UTF-8).
std::string json_escape(std::string_view text);

}  // namespace codex::agent
