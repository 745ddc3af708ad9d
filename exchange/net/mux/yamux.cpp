#include "exchange/net/mux/yamux.h"

#include <algorithm>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <chrono>
#include <limits>
#include <string>

#include "exchange/net/error.h"
#include "exchange/net/mux/session_base.h"
#include "exchange/net/mux/yamux_header.h"

namespace codex::net {
namespace {

using mux::YamuxHeader;
using mux::YamuxType;

// Data frames we send: what js-libp2p and go-libp2p yamux send at most.
constexpr size_t kMaxDataFrame = 64 * 1024;
// How long a GoAway after a protocol violation may take to go out.
constexpr auto kGoAwayFlush = std::chrono::milliseconds(100);

struct YamuxStreamState : mux::StreamState {
  using StreamState::StreamState;
  std::string name() const { return "yamux stream " + std::to_string(id); }

  uint64_t send_window = mux::kYamuxInitialWindow;  // bytes we may still send
  uint64_t recv_window = mux::kYamuxInitialWindow;  // bytes the peer may still send
  uint64_t taken = 0;  // bytes the reader took that we have not granted back yet
};

class YamuxSession final : public mux::SessionBase<YamuxSession, YamuxStreamState, YamuxHeader> {
 public:
  YamuxSession(std::unique_ptr<Stream> conn, bool dialer, MuxerLimits limits)
      : SessionBase(std::move(conn), limits, "yamux"),
        dialer_(dialer),
        window_(std::clamp<uint64_t>(limits.stream_buffer, mux::kYamuxInitialWindow,
                                     std::numeric_limits<uint32_t>::max())),
        next_id_(dialer ? 1 : 2) {}

  std::unique_ptr<Stream> open_stream();

  // For the stream handles.
  asio::awaitable<void> write(StatePtr st, std::span<const uint8_t> data);
  void close_write(const StatePtr& st);
  void reset(const StatePtr& st) noexcept;
  void consumed(const StatePtr& st, size_t n);

  // For SessionBase.
  std::optional<std::pair<YamuxHeader, size_t>> decode(std::span<const uint8_t> in) const {
    if (in.size() < mux::kYamuxHeaderSize) return std::nullopt;
    return std::pair(mux::decode_yamux_header(in.first<mux::kYamuxHeaderSize>()),
                     mux::kYamuxHeaderSize);
  }
  void handle(const YamuxHeader& h);
  void deliver(std::span<const uint8_t> body);
  void body_done() {
    if (fin_after_body_) remote_close(std::exchange(fin_after_body_, nullptr));
  }
  bool stop_reading() const { return go_away_; }
  void clean_end();
  asio::awaitable<void> protocol_end();

 private:
  // The id parity of the streams we open: the dialer's are odd.
  bool ours(uint32_t id) const { return (id % 2 == 1) == dialer_; }
  void send(const YamuxHeader& h) {
    const auto bytes = mux::encode_yamux_header(h);
    queue_.push(bytes, {});
  }
  void send_urgent(const YamuxHeader& h) {
    const auto bytes = mux::encode_yamux_header(h);
    queue_.push_urgent(bytes);
  }
  void remote_close(const StatePtr& st) {
    st->remote_closed = true;
    st->signal.notify();
    maybe_forget(*st);
  }

  const bool dialer_;
  const uint64_t window_;  // the receive window we grant each stream
  uint64_t next_id_;
  bool go_away_ = false;  // the peer sent GoAway
  uint32_t go_away_code_ = 0;
  StatePtr fin_after_body_;  // a FIN that came with the Data body being read
};

std::unique_ptr<Stream> YamuxSession::open_stream() {
  check_open_allowed();
  if (next_id_ > std::numeric_limits<uint32_t>::max())
    throw NetError("yamux: stream ids exhausted");
  const auto id = uint32_t(next_id_);
  next_id_ += 2;
  auto st = std::make_shared<YamuxStreamState>(id, true);
  // SYN with the window beyond the initial one granted at once.
  st->recv_window = window_;
  send(
      {YamuxType::kWindowUpdate, mux::kYamuxSyn, id, uint32_t(window_ - mux::kYamuxInitialWindow)});
  track(st);
  return handle_of(std::move(st));
}

asio::awaitable<void> YamuxSession::write(StatePtr st, std::span<const uint8_t> data) {
  const auto keep = shared_from_this();
  size_t done = 0;
  while (done < data.size()) {
    // Within the peer's window, and at most kMaxQueuedFrames frames of one
    // stream queued: fairness and memory.
    while (!st->reset && !st->local_closed &&
           (st->send_window == 0 || st->queued_frames >= mux::WriteQueue::kMaxQueuedFrames))
      co_await st->signal.wait();
    if (st->reset) throw NetError(st->name() + ": " + st->error);
    if (st->local_closed) throw NetError(st->name() + ": write after close_write");
    const size_t n =
        size_t(std::min<uint64_t>({kMaxDataFrame, data.size() - done, st->send_window}));
    st->send_window -= n;
    const auto header =
        mux::encode_yamux_header({YamuxType::kData, 0, uint32_t(st->id), uint32_t(n)});
    queue_.push(header, data.subspan(done, n), st);
    done += n;
  }
}

void YamuxSession::close_write(const StatePtr& st) {
  if (st->reset) throw NetError(st->name() + ": " + st->error);
  if (st->local_closed) return;
  st->local_closed = true;
  send({YamuxType::kWindowUpdate, mux::kYamuxFin, uint32_t(st->id), 0});
  maybe_forget(*st);
  st->signal.notify();  // a write waiting for window fails now
}

void YamuxSession::reset(const StatePtr& st) noexcept {
  if (st->reset) return;
  if (tracked(*st)) {
    try {
      send({YamuxType::kWindowUpdate, mux::kYamuxRst, uint32_t(st->id), 0});
    } catch (...) {  // out of memory: the peer learns when the connection ends
    }
    forget(*st);
  }
  st->mark_reset("reset locally");
}

void YamuxSession::consumed(const StatePtr& st, size_t n) {
  if (st->reset || st->remote_closed || !tracked(*st)) return;
  st->taken += n;
  // Grant in big steps: one window update per half window read.
  if (st->taken < window_ / 2) return;
  send_urgent({YamuxType::kWindowUpdate, 0, uint32_t(st->id), uint32_t(st->taken)});
  st->recv_window += st->taken;
  st->taken = 0;
}

void YamuxSession::deliver(std::span<const uint8_t> body) {
  const StatePtr& st = body_target_;
  if (st->reset) return;
  if (st->abandoned) {
    consumed(st, body.size());  // dropped, but the peer may go on sending
    return;
  }
  st->receive(body);
}

void YamuxSession::clean_end() {
  if (go_away_ && go_away_code_ != uint32_t(mux::YamuxGoAway::kNormal)) {
    const std::string why =
        "yamux: the peer ended the session with error code " + std::to_string(go_away_code_);
    end(why);
    throw NetError(why);
  }
  end(go_away_ ? "yamux: the peer ended the session" : "yamux connection closed by the peer");
}

// Tells the peer why we hang up, if the connection takes the GoAway at once.
asio::awaitable<void> YamuxSession::protocol_end() {
  using namespace asio::experimental::awaitable_operators;
  send_urgent({YamuxType::kGoAway, 0, 0, uint32_t(mux::YamuxGoAway::kProtocolError)});
  asio::steady_timer timer(co_await asio::this_coro::executor, kGoAwayFlush);
  while (!ended_ && !queue_.idle()) {
    std::error_code ec;
    const auto r = co_await (queue_.written().wait() ||
                             timer.async_wait(asio::redirect_error(asio::use_awaitable, ec)));
    if (r.index() == 1) break;
  }
}

void YamuxSession::handle(const YamuxHeader& h) {
  fin_after_body_.reset();
  if (h.type == YamuxType::kPing || h.type == YamuxType::kGoAway) {
    if (h.stream_id != 0) throw ProtocolError("yamux: ping or go-away on a stream");
    if (h.type == YamuxType::kGoAway) {
      go_away_ = true;
      go_away_code_ = h.length;
    } else if (h.flags & mux::kYamuxSyn) {
      send_urgent({YamuxType::kPing, mux::kYamuxAck, 0, h.length});
      queue_.add_reply_bytes(mux::kYamuxHeaderSize);
    }  // a ping reply: we send no pings, so nothing waits for it
    return;
  }
  const uint32_t id = h.stream_id;
  if (id == 0) throw ProtocolError("yamux: data or window update on stream 0");
  if (h.type == YamuxType::kData) {
    // js-libp2p's yamux sends frames as large as the window we granted, and
    // bodies go to the stream piece by piece, so the window bounds a frame
    // as much as max_frame_size does.
    const uint64_t limit = std::max<uint64_t>(limits_.max_frame_size, window_);
    if (h.length > limit)
      throw ProtocolError("yamux: data frame of " + std::to_string(h.length) +
                          " bytes exceeds the limit of " + std::to_string(limit));
    body_left_ = h.length;  // dropped unless a stream takes it below
  }
  StatePtr st;
  if (h.flags & mux::kYamuxSyn) {
    if (ours(id))
      throw ProtocolError("yamux: the peer opened stream " + std::to_string(id) +
                          ", an id of our side");
    if (find(id, false))
      throw ProtocolError("yamux: stream " + std::to_string(id) + " opened twice");
    if (inbound_ >= limits_.max_streams) {
      send({YamuxType::kWindowUpdate, mux::kYamuxRst, id, 0});
      queue_.add_reply_bytes(mux::kYamuxHeaderSize);
      return;
    }
    st = std::make_shared<YamuxStreamState>(id, false);
    // ACK with the window beyond the initial one granted at once.
    st->recv_window = window_;
    send_urgent({YamuxType::kWindowUpdate, mux::kYamuxAck, id,
                 uint32_t(window_ - mux::kYamuxInitialWindow)});
    track(st);
    offer(st);
  } else {
    st = find(id, ours(id));
    if (!st) return;  // a stream already gone (reset, closed): dropped
  }
  if (h.flags & mux::kYamuxRst) {
    forget(*st);
    st->mark_reset("reset by the peer");
    return;
  }
  if (h.type == YamuxType::kWindowUpdate) {
    st->send_window += h.length;
    st->signal.notify();
  } else {
    if (h.length > st->recv_window)
      throw ProtocolError("yamux: " + st->name() + " got " + std::to_string(h.length) +
                          " bytes beyond its window of " + std::to_string(st->recv_window));
    st->recv_window -= h.length;
    if (!st->remote_closed) body_target_ = st;  // data after FIN is dropped
  }
  if (h.flags & mux::kYamuxFin) {
    if (body_left_ > 0)
      fin_after_body_ = st;
    else if (!st->remote_closed)
      remote_close(st);
  }
}

}  // namespace

std::unique_ptr<MuxedConnection> make_yamux(std::unique_ptr<Stream> conn, bool initiator,
                                            MuxerLimits limits) {
  return std::make_unique<mux::SessionConnection<YamuxSession>>(
      std::make_shared<YamuxSession>(std::move(conn), initiator, limits));
}

}  // namespace codex::net
