#pragma once
#include <string>

namespace codex::agent {

// Configures spdlog's default logger on stderr. level: trace, debug, info,
// warn, error, critical, off. format: auto (colours on a terminal), colors,
// nocolors, json, none. Throws std::invalid_argument for unknown values.
void setup_logging(const std::string& level, const std::string& format);

}  // namespace codex::agent
