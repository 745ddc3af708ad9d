#include "agent/commands/logging.h"

#include <spdlog/sinks/null_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <stdexcept>

namespace codex::agent {

void setup_logging(const std::string& level, const std::string& format) {
  auto lvl = spdlog::level::from_str(level);
  if (lvl == spdlog::level::off && level != "off")
    throw std::invalid_argument("unknown log level '" + level + "'");
  std::shared_ptr<spdlog::logger> logger;
  if (format == "none") {
    logger =
        std::make_shared<spdlog::logger>("codex", std::make_shared<spdlog::sinks::null_sink_mt>());
  } else if (format == "auto" || format == "colors" || format == "nocolors" || format == "json") {
    auto sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>(
        format == "colors" || (format == "auto" && isatty(STDERR_FILENO))
            ? spdlog::color_mode::always
            : spdlog::color_mode::never);
    logger = std::make_shared<spdlog::logger>("codex", sink);
    if (format == "json")
      logger->set_pattern(R"({"time":"%Y-%m-%dT%H:%M:%S.%e%z","level":"%l","msg":"%v"})");
    else
      logger->set_pattern("%Y-%m-%d %H:%M:%S.%e %^%-5l%$ %v");
  } else {
    throw std::invalid_argument("unknown log format '" + format + "'");
  }
  logger->set_level(lvl);
  spdlog::set_default_logger(logger);
}

}  // namespace codex::agent
