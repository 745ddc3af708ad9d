#include "exchange/net/mux/yamux.h"

#include <algorithm>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <chrono>
#include <cstring>
#include <deque>
#include <limits>
#include <string>
#include <unordered_map>
#include <vector>

#include "exchange/net/error.h"
#include "exchange/net/mux/recv_buffer.h"
#include "exchange/net/mux/stream_handle.h"
#include "exchange/net/mux/write_queue.h"
#include "exchange/net/mux/yamux_header.h"

namespace codex::net {
namespace {

using mux::YamuxHeader;
using mux::YamuxType;

// Data frames we send: what js-libp2p and go-libp2p yamux send at most.
constexpr size_t kMaxDataFrame = 64 * 1024;
constexpr size_t kReadBuffer = 256 * 1024;
// Answers to the peer (pings, resets of refused streams) queued before we
// stop reading until they are written.
constexpr size_t kMaxReplyBytes = 64 * 1024;
// How long a GoAway after a protocol violation may take to go out.
constexpr auto kGoAwayFlush = std::chrono::milliseconds(100);

struct YamuxStreamState : mux::WriteOwner {
  YamuxStreamState(uint32_t id, bool opened_here) : id(id), opened_here(opened_here) {}
  std::string name() const { return "yamux stream " + std::to_string(id); }

  const uint32_t id;
  const bool opened_here;
  mux::RecvBuffer in;
  uint64_t send_window = mux::kYamuxInitialWindow;  // bytes we may still send
  uint64_t recv_window = mux::kYamuxInitialWindow;  // bytes the peer may still send
  uint64_t taken = 0;          // bytes the reader took that we have not granted back yet
  bool local_closed = false;   // we sent FIN
  bool remote_closed = false;  // the peer sent FIN
  bool reset = false;          // reset either way, or the connection ended
  bool abandoned = false;      // its Stream was dropped after close_write: input is dropped
  std::string error;           // why it was reset
};
using StatePtr = std::shared_ptr<YamuxStreamState>;

class YamuxSession : public std::enable_shared_from_this<YamuxSession> {
 public:
  YamuxSession(std::unique_ptr<Stream> conn, bool dialer, MuxerLimits limits)
      : conn_(std::move(conn)),
        dialer_(dialer),
        limits_(limits),
        window_(std::clamp<uint64_t>(limits.stream_buffer, mux::kYamuxInitialWindow,
                                     std::numeric_limits<uint32_t>::max())),
        next_id_(dialer ? 1 : 2) {}

  asio::awaitable<void> run();
  std::unique_ptr<Stream> open_stream();
  asio::awaitable<std::unique_ptr<Stream>> accept_stream();
  void close() noexcept {
    if (!ended_) closed_locally_ = true;
    end("yamux connection closed");
  }

  // For the stream handles.
  asio::awaitable<void> write(StatePtr st, std::span<const uint8_t> data);
  void close_write(const StatePtr& st);
  void reset(const StatePtr& st) noexcept;
  void release(const StatePtr& st) noexcept;
  void consumed(const StatePtr& st, size_t n);

 private:
  bool tracked(const YamuxStreamState& st) const {
    const auto it = streams_.find(st.id);
    return it != streams_.end() && it->second.get() == &st;
  }
  void forget(const YamuxStreamState& st) {
    if (!tracked(st)) return;
    --(st.opened_here ? outbound_ : inbound_);
    streams_.erase(st.id);
  }
  void send(const YamuxHeader& h) {
    const auto bytes = mux::encode_yamux_header(h);
    queue_.push(bytes, {});
  }
  void send_urgent(const YamuxHeader& h) {
    const auto bytes = mux::encode_yamux_header(h);
    queue_.push_urgent(bytes);
  }
  static void mark_reset(YamuxStreamState& st, const std::string& why) noexcept;
  void remote_close(const StatePtr& st);
  void end(const std::string& why) noexcept;
  asio::awaitable<void> read_loop();
  void handle(const YamuxHeader& h);
  void deliver(std::span<const uint8_t> body);
  asio::awaitable<void> flush_go_away(mux::YamuxGoAway code);

  std::unique_ptr<Stream> conn_;
  const bool dialer_;
  const MuxerLimits limits_;
  const uint64_t window_;  // the receive window we grant each stream
  mux::WriteQueue queue_;
  std::unordered_map<uint32_t, StatePtr> streams_;
  size_t outbound_ = 0, inbound_ = 0;
  std::deque<StatePtr> accept_queue_;
  mux::Signal accepted_;
  uint64_t next_id_;
  bool running_ = false;
  bool ended_ = false;
  bool closed_locally_ = false;
  bool go_away_ = false;  // the peer sent GoAway
  uint32_t go_away_code_ = 0;
  std::string end_reason_;
  // The Data body being read: the stream it goes to (null: dropped), the
  // bytes still to come, and whether a FIN came with it.
  StatePtr body_target_;
  uint64_t body_left_ = 0;
  StatePtr fin_after_body_;
};

using YamuxStream = mux::StreamHandle<YamuxSession, YamuxStreamState>;

void YamuxSession::mark_reset(YamuxStreamState& st, const std::string& why) noexcept {
  if (st.reset) return;
  st.reset = true;
  try {
    st.error = why;
  } catch (...) {
  }
  st.in.clear();
  st.signal.notify();
}

void YamuxSession::end(const std::string& why) noexcept {
  if (ended_) return;
  ended_ = true;
  try {
    end_reason_ = why;
  } catch (...) {
  }
  for (auto& [id, st] : streams_)
    mark_reset(*st, why);
  streams_.clear();
  outbound_ = inbound_ = 0;
  accept_queue_.clear();
  body_target_.reset();
  fin_after_body_.reset();
  accepted_.notify();
  queue_.close();
  conn_->reset();
}

std::unique_ptr<Stream> YamuxSession::open_stream() {
  if (ended_) throw NetError("yamux: connection ended: " + end_reason_);
  if (outbound_ >= limits_.max_streams)
    throw NetError("yamux: " + std::to_string(outbound_) + " outbound streams open, the limit");
  if (next_id_ > std::numeric_limits<uint32_t>::max())
    throw NetError("yamux: stream ids exhausted");
  const auto id = uint32_t(next_id_);
  next_id_ += 2;
  auto st = std::make_shared<YamuxStreamState>(id, true);
  // SYN with the window beyond the initial one granted at once.
  st->recv_window = window_;
  send(
      {YamuxType::kWindowUpdate, mux::kYamuxSyn, id, uint32_t(window_ - mux::kYamuxInitialWindow)});
  streams_.emplace(id, st);
  ++outbound_;
  return std::make_unique<YamuxStream>(std::move(st), weak_from_this());
}

asio::awaitable<std::unique_ptr<Stream>> YamuxSession::accept_stream() {
  const auto self = shared_from_this();
  for (;;) {
    if (ended_) throw NetError("yamux: connection ended: " + end_reason_);
    if (!accept_queue_.empty()) {
      StatePtr st = std::move(accept_queue_.front());
      accept_queue_.pop_front();
      co_return std::make_unique<YamuxStream>(std::move(st), weak_from_this());
    }
    co_await accepted_.wait();
  }
}

asio::awaitable<void> YamuxSession::write(StatePtr st, std::span<const uint8_t> data) {
  const auto self = shared_from_this();
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
    const auto header = mux::encode_yamux_header({YamuxType::kData, 0, st->id, uint32_t(n)});
    queue_.push(header, data.subspan(done, n), st);
    done += n;
  }
}

void YamuxSession::close_write(const StatePtr& st) {
  if (st->reset) throw NetError(st->name() + ": " + st->error);
  if (st->local_closed) return;
  st->local_closed = true;
  send({YamuxType::kWindowUpdate, mux::kYamuxFin, st->id, 0});
  if (st->remote_closed) forget(*st);
  st->signal.notify();  // a write waiting for window fails now
}

void YamuxSession::reset(const StatePtr& st) noexcept {
  if (st->reset) return;
  if (tracked(*st)) {
    try {
      send({YamuxType::kWindowUpdate, mux::kYamuxRst, st->id, 0});
    } catch (...) {  // out of memory: the peer learns when the connection ends
    }
    forget(*st);
  }
  mark_reset(*st, "reset locally");
}

void YamuxSession::release(const StatePtr& st) noexcept {
  if (st->reset || (st->local_closed && st->remote_closed)) return;
  if (!st->local_closed) {
    reset(st);
    return;
  }
  st->abandoned = true;
  const size_t dropped = st->in.size();
  st->in.clear();
  try {
    consumed(st, dropped);
  } catch (...) {
  }
}

void YamuxSession::consumed(const StatePtr& st, size_t n) {
  if (st->reset || st->remote_closed || !tracked(*st)) return;
  st->taken += n;
  // Grant in big steps: one window update per half window read.
  if (st->taken < window_ / 2) return;
  send_urgent({YamuxType::kWindowUpdate, 0, st->id, uint32_t(st->taken)});
  st->recv_window += st->taken;
  st->taken = 0;
}

void YamuxSession::remote_close(const StatePtr& st) {
  st->remote_closed = true;
  st->signal.notify();
  if (st->local_closed) forget(*st);
}

asio::awaitable<void> YamuxSession::run() {
  const auto self = shared_from_this();
  if (running_) throw std::logic_error("yamux: run() called twice");
  running_ = true;
  if (ended_) co_return;
  asio::co_spawn(
      co_await asio::this_coro::executor,
      [](std::shared_ptr<YamuxSession> s) -> asio::awaitable<void> {
        try {
          co_await s->queue_.run(*s->conn_);
        } catch (const std::exception& e) {
          s->end(std::string("yamux: write failed: ") + e.what());
        }
      }(self),
      asio::detached);

  std::exception_ptr failure;
  bool protocol = false;
  try {
    co_await read_loop();
  } catch (const ProtocolError&) {
    protocol = true;
    failure = std::current_exception();
  } catch (...) {
    failure = std::current_exception();
  }
  if (!failure) {
    if (go_away_ && go_away_code_ != uint32_t(mux::YamuxGoAway::kNormal)) {
      const std::string why =
          "yamux: the peer ended the session with error code " + std::to_string(go_away_code_);
      end(why);
      throw NetError(why);
    }
    end(go_away_ ? "yamux: the peer ended the session" : "yamux connection closed by the peer");
    co_return;
  }
  if (closed_locally_ && !protocol) co_return;
  if (ended_ && !protocol) throw NetError(end_reason_);  // the writer failed first
  if (protocol && !ended_) co_await flush_go_away(mux::YamuxGoAway::kProtocolError);
  try {
    std::rethrow_exception(failure);
  } catch (const std::exception& e) {
    end(e.what());
  }
  std::rethrow_exception(failure);
}

// Tells the peer why we hang up, if the connection takes the GoAway at once.
asio::awaitable<void> YamuxSession::flush_go_away(mux::YamuxGoAway code) {
  using namespace asio::experimental::awaitable_operators;
  send_urgent({YamuxType::kGoAway, 0, 0, uint32_t(code)});
  asio::steady_timer timer(co_await asio::this_coro::executor, kGoAwayFlush);
  while (!ended_ && !queue_.idle()) {
    std::error_code ec;
    const auto r = co_await (queue_.written().wait() ||
                             timer.async_wait(asio::redirect_error(asio::use_awaitable, ec)));
    if (r.index() == 1) break;
  }
}

asio::awaitable<void> YamuxSession::read_loop() {
  std::vector<uint8_t> buf(kReadBuffer);
  size_t begin = 0, end = 0;
  for (;;) {
    if (ended_) throw NetError(end_reason_);
    if (begin < end) {
      if (body_left_ > 0) {
        const size_t n = size_t(std::min<uint64_t>(end - begin, body_left_));
        deliver({buf.data() + begin, n});
        begin += n;
        body_left_ -= n;
        if (body_left_ == 0) {
          body_target_.reset();
          if (fin_after_body_) remote_close(std::exchange(fin_after_body_, nullptr));
        }
        continue;
      }
      if (end - begin >= mux::kYamuxHeaderSize) {
        const auto h = mux::decode_yamux_header(std::span<const uint8_t, mux::kYamuxHeaderSize>(
            buf.data() + begin, mux::kYamuxHeaderSize));
        begin += mux::kYamuxHeaderSize;
        handle(h);
        if (go_away_) co_return;
        while (queue_.reply_bytes() > kMaxReplyBytes && !ended_)
          co_await queue_.written().wait();
        continue;
      }
    }
    // What is left is at most part of a header: move it to the front.
    std::memmove(buf.data(), buf.data() + begin, end - begin);
    end -= begin;
    begin = 0;
    const size_t n = co_await conn_->read_some({buf.data() + end, buf.size() - end});
    if (n == 0) {
      if (body_left_ > 0 || end > 0) throw NetError("yamux: connection ended inside a frame");
      co_return;
    }
    end += n;
  }
}

void YamuxSession::deliver(std::span<const uint8_t> body) {
  auto& st = body_target_;
  if (!st || st->reset) return;
  if (st->abandoned) {
    consumed(st, body.size());  // dropped, but the peer may go on sending
    return;
  }
  st->in.append(body);
  st->signal.notify();
}

void YamuxSession::handle(const YamuxHeader& h) {
  body_target_.reset();
  fin_after_body_.reset();
  body_left_ = 0;
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
    if (h.length > limits_.max_frame_size)
      throw ProtocolError("yamux: data frame of " + std::to_string(h.length) +
                          " bytes exceeds the limit of " + std::to_string(limits_.max_frame_size));
    body_left_ = h.length;  // dropped unless a stream takes it below
  }
  StatePtr st;
  if (h.flags & mux::kYamuxSyn) {
    // The dialer opens odd ids, the listener even ones.
    if ((id % 2 == 1) == dialer_)
      throw ProtocolError("yamux: the peer opened stream " + std::to_string(id) +
                          ", an id of our side");
    if (streams_.count(id))
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
    streams_.emplace(id, st);
    ++inbound_;
    accept_queue_.push_back(st);
    accepted_.notify();
  } else {
    const auto it = streams_.find(id);
    if (it == streams_.end()) return;  // a stream already gone (reset, closed): dropped
    st = it->second;
  }
  if (h.flags & mux::kYamuxRst) {
    forget(*st);
    mark_reset(*st, "reset by the peer");
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

class YamuxConnection final : public MuxedConnection {
 public:
  YamuxConnection(std::unique_ptr<Stream> conn, bool dialer, MuxerLimits limits)
      : s_(std::make_shared<YamuxSession>(std::move(conn), dialer, limits)) {}
  ~YamuxConnection() override { s_->close(); }

  // Each coroutine holds the session by value, so the connection object may
  // go away while they run.
  asio::awaitable<void> run() override { return run_session(s_); }
  asio::awaitable<std::unique_ptr<Stream>> open_stream() override { return open(s_); }
  asio::awaitable<std::unique_ptr<Stream>> accept_stream() override { return accept(s_); }
  void close() noexcept override { s_->close(); }

 private:
  static asio::awaitable<void> run_session(std::shared_ptr<YamuxSession> s) { co_await s->run(); }
  static asio::awaitable<std::unique_ptr<Stream>> open(std::shared_ptr<YamuxSession> s) {
    co_return s->open_stream();
  }
  static asio::awaitable<std::unique_ptr<Stream>> accept(std::shared_ptr<YamuxSession> s) {
    co_return co_await s->accept_stream();
  }

  std::shared_ptr<YamuxSession> s_;
};

}  // namespace

std::unique_ptr<MuxedConnection> make_yamux(std::unique_ptr<Stream> conn, bool initiator,
                                            MuxerLimits limits) {
  return std::make_unique<YamuxConnection>(std::move(conn), initiator, limits);
}

}  // namespace codex::net
