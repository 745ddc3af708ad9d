#include "agent/commands/logging.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <optional>
#include <stdexcept>

#include "agent/api/utf8.h"
#include "base/strings.h"

namespace codex::agent {
namespace {

// %j: the message, escaped for a JSON string.
class JsonMessageFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    std::string escaped = json_escape(std::string_view(msg.payload.data(), msg.payload.size()));
    dest.append(escaped.data(), escaped.data() + escaped.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<JsonMessageFlag>();
  }
};

}  // namespace

std::string json_escape(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(text.size() + 8);
  for (size_t i = 0; i < text.size();) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      size_t n = utf8_sequence(text.substr(i));
      if (n == 0) {
        out += "\\ufffd";
        ++i;
      } else {
        out.append(text.substr(i, n));
        i += n;
      }
      continue;
    }
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (c < 0x20 || c == 0x7F) {
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 0xF];
        } else {
          out += static_cast<char>(c);
        }
    }
    ++i;
  }
  return out;
}

spdlog::level::level_enum parse_log_level(const std::string& spec) {
  auto one = [&](std::string_view name) {
    std::string n(base::trim(name));
    for (auto& ch : n)
      ch = char(std::tolower(static_cast<unsigned char>(ch)));
    // The reference's (chronicles) names, and spdlog's.
    if (n == "notice") return spdlog::level::info;
    if (n == "fatal") return spdlog::level::critical;
    if (n == "none") return spdlog::level::off;
    auto lvl = spdlog::level::from_str(n);
    if (lvl == spdlog::level::off && n != "off")
      throw std::invalid_argument("unknown log level '" + std::string(name) + "' in '" + spec +
                                  "'");
    return lvl;
  };
  std::optional<spdlog::level::level_enum> level;
  std::string_view rest = spec;
  while (true) {
    size_t semi = rest.find(';');
    std::string_view item = base::trim(rest.substr(0, semi));
    if (size_t colon = item.find(':'); colon != std::string_view::npos) {
      // "level:topic,topic": the agent has no log topics; the level is checked.
      (void)one(item.substr(0, colon));
    } else if (!item.empty()) {
      level = one(item);
    }
    if (semi == std::string_view::npos) break;
    rest = rest.substr(semi + 1);
  }
  return level.value_or(spdlog::level::info);
}

void setup_logging(const std::string& level, const std::string& format) {
  auto lvl = parse_log_level(level);
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
    if (format == "json") {
      auto formatter = std::make_unique<spdlog::pattern_formatter>();
      formatter->add_flag<JsonMessageFlag>('j').set_pattern(
          R"({"time":"%Y-%m-%dT%H:%M:%S.%e%z","level":"%l","msg":"%j"})");
      logger->set_formatter(std::move(formatter));
    } else {
      logger->set_pattern("%Y-%m-%d %H:%M:%S.%e %^%-5l%$ %v");
    }
  } else {
    throw std::invalid_argument("unknown log format '" + format + "'");
  }
  logger->set_level(lvl);
  spdlog::set_default_logger(logger);
}

}  // namespace codex::agent
