#include "agent/devnet/console.h"

#include <ctime>

namespace codex::devnet {

void Console::clear_status() {
  if (live_ && !status_.empty()) out_ << "\r\033[K" << std::flush;
}

void Console::say(const std::string& text) {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  ::localtime_r(&t, &tm);
  char stamp[16];
  std::strftime(stamp, sizeof stamp, "%H:%M:%S", &tm);
  clear_status();
  out_ << stamp << "  " << text << "\n";
  if (live_ && !status_.empty()) out_ << status_;
  out_ << std::flush;
}

void Console::status(const std::string& text) {
  if (!live_) return;
  // One terminal line: a wrapped status line could not be redrawn in place.
  status_ = text.size() > 110 ? text.substr(0, 107) + "..." : text;
  out_ << "\r\033[K" << status_ << std::flush;
}

void Console::print(const std::string& text) {
  clear_status();
  status_.clear();
  out_ << text << std::flush;
}

}  // namespace codex::devnet
