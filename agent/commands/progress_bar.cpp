#include "agent/commands/progress_bar.h"

#include <unistd.h>

#include <cstdio>

#include "agent/config/units.h"

namespace codex::agent {

ProgressBar::ProgressBar(std::string label)
    : label_(std::move(label)),
      tty_(isatty(STDERR_FILENO)),
      start_(std::chrono::steady_clock::now()),
      last_() {}

void ProgressBar::update(uint64_t done, uint64_t total) {
  done_ = done;
  total_ = total;
  auto now = std::chrono::steady_clock::now();
  if (tty_ && now - last_ >= std::chrono::milliseconds(100)) {
    last_ = now;
    draw(false);
  }
}

void ProgressBar::finish() {
  if (tty_) draw(true);
}

void ProgressBar::draw(bool final) {
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  double rate = secs > 0 ? double(done_) / secs : 0;
  constexpr int kWidth = 30;
  int filled = total_ ? int(kWidth * double(done_) / double(total_)) : 0;
  std::string bar(size_t(filled), '#');
  bar.resize(kWidth, total_ ? '.' : ' ');
  std::fprintf(stderr, "\r%s [%s] %s / %s  %s/s%s", label_.c_str(), bar.c_str(),
               format_size(done_).c_str(), total_ ? format_size(total_).c_str() : "?",
               format_size(uint64_t(rate)).c_str(), final ? "\n" : "   ");
  std::fflush(stderr);
}

}  // namespace codex::agent
