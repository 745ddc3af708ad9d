#include "exchange/net/multistream.h"

#include <algorithm>
#include <string_view>
#include <vector>

#include "exchange/net/error.h"
#include "exchange/net/stream_io.h"

namespace codex::net {
namespace {

// A peer proposing this many protocols we refuse is wasting our time.
constexpr int kMaxRefusals = 32;

void append_line(std::vector<uint8_t>& out, std::string_view line) {
  std::string text(line);
  text += '\n';
  const auto framed = length_prefixed({reinterpret_cast<const uint8_t*>(text.data()), text.size()});
  out.insert(out.end(), framed.begin(), framed.end());
}

// GCC 12 cannot keep a braced list alive across co_await: lines are passed
// one or two at a time instead.
asio::awaitable<void> write_lines(Stream& s, std::string_view first, std::string_view second = {}) {
  std::vector<uint8_t> out;
  append_line(out, first);
  if (!second.empty()) append_line(out, second);
  co_await s.write(out);
}

asio::awaitable<std::string> read_line(Stream& s) {
  const auto msg = co_await read_length_prefixed(s, kMaxProtocolIdSize);
  if (msg.empty() || msg.back() != '\n')
    throw ProtocolError("multistream: message does not end in a newline");
  std::string line(msg.begin(), msg.end() - 1);
  if (line.find('\n') != std::string::npos)
    throw ProtocolError("multistream: message holds more than one line");
  co_return line;
}

asio::awaitable<void> expect_header(Stream& s) {
  const std::string header = co_await read_line(s);
  if (header != kMultistreamId)
    throw ProtocolError("multistream: peer speaks '" + header.substr(0, 64) + "', not " +
                        kMultistreamId);
}

}  // namespace

asio::awaitable<std::string> multistream_select(Stream& s, std::span<const std::string> protocols) {
  if (protocols.empty()) throw NetError("multistream: nothing to propose");
  co_await write_lines(s, kMultistreamId, protocols[0]);
  co_await expect_header(s);
  for (size_t i = 0; i < protocols.size(); ++i) {
    if (i > 0) co_await write_lines(s, protocols[i]);
    const std::string answer = co_await read_line(s);
    if (answer == protocols[i]) co_return answer;
    if (answer != "na")
      throw ProtocolError("multistream: unexpected answer '" + answer.substr(0, 64) + "' to " +
                          protocols[i]);
  }
  throw NetError("multistream: peer supports none of the " + std::to_string(protocols.size()) +
                 " protocols proposed (first " + protocols[0] + ")");
}

asio::awaitable<std::string> multistream_handle(Stream& s, std::span<const std::string> supported) {
  co_await expect_header(s);
  co_await write_lines(s, kMultistreamId);
  for (int refused = 0; refused <= kMaxRefusals;) {
    const std::string proposal = co_await read_line(s);
    if (std::find(supported.begin(), supported.end(), proposal) != supported.end()) {
      co_await write_lines(s, proposal);
      co_return proposal;
    }
    if (proposal == "ls") {
      // One message: the protocols, each a length-prefixed line, then '\n'.
      std::vector<uint8_t> body;
      for (const auto& p : supported)
        append_line(body, p);
      body.push_back('\n');
      const auto framed = length_prefixed(body);
      co_await s.write(framed);
      ++refused;
      continue;
    }
    co_await write_lines(s, "na");
    ++refused;
  }
  throw ProtocolError("multistream: peer proposed more than " + std::to_string(kMaxRefusals) +
                      " protocols we do not speak");
}

}  // namespace codex::net
