#pragma once
// The devnet's output: timestamped lines for what happens, and on a terminal
// a status line kept at the bottom (redrawn in place); without a terminal
// (CI, a pipe) only the lines, so logs stay readable.
#include <ostream>
#include <string>

namespace codex::devnet {

class Console {
 public:
  Console(std::ostream& out, bool live) : out_(out), live_(live) {}
  ~Console() { clear_status(); }

  // "12:03:04  text"
  void say(const std::string& text);
  // Replaces the status line (terminal only).
  void status(const std::string& text);
  // Text as is (tables), after clearing the status line.
  void print(const std::string& text);

 private:
  void clear_status();
  std::ostream& out_;
  bool live_;
  std::string status_;
};

}  // namespace codex::devnet
