#pragma once
// A one-line progress bar on stderr, drawn only when stderr is a terminal.
#include <chrono>
#include <cstdint>
#include <string>

namespace codex::agent {

class ProgressBar {
 public:
  explicit ProgressBar(std::string label);
  // Redraws at most 10 times a second; total 0 means unknown.
  void update(uint64_t done, uint64_t total);
  // Draws the final state and ends the line.
  void finish();

 private:
  void draw(bool final);
  std::string label_;
  bool tty_;
  uint64_t done_ = 0, total_ = 0;
  std::chrono::steady_clock::time_point start_, last_;
};

}  // namespace codex::agent
