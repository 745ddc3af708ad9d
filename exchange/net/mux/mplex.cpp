#include "exchange/net/mux/mplex.h"

#include <algorithm>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/this_coro.hpp>
#include <cstring>
#include <deque>
#include <string>
#include <unordered_map>
#include <vector>

#include "exchange/net/error.h"
#include "exchange/net/mux/mplex_frame.h"
#include "exchange/net/mux/recv_buffer.h"
#include "exchange/net/mux/stream_handle.h"
#include "exchange/net/mux/write_queue.h"

namespace codex::net {
namespace {

using mux::MplexFlag;

// Data frames we send: small enough that streams interleave finely, large
// enough that headers cost nothing (js-libp2p sends up to 1 MiB, nim 1 MiB).
constexpr size_t kMaxDataFrame = 64 * 1024;
constexpr size_t kReadBuffer = 256 * 1024;
// Answers to the peer (resets of refused streams) queued before we stop
// reading until they are written.
constexpr size_t kMaxReplyBytes = 64 * 1024;

struct MplexStreamState : mux::WriteOwner {
  MplexStreamState(uint64_t id, bool opened_here) : id(id), opened_here(opened_here) {}

  // The flag of a frame we send on this stream, given its Initiator form
  // (the Receiver form is one less).
  MplexFlag flag(MplexFlag initiator_form) const {
    return opened_here ? initiator_form : MplexFlag(uint8_t(initiator_form) - 1);
  }
  std::string name() const {
    return std::string("mplex stream ") + (opened_here ? "out " : "in ") + std::to_string(id);
  }

  const uint64_t id;
  const bool opened_here;
  mux::RecvBuffer in;
  bool local_closed = false;   // we sent Close
  bool remote_closed = false;  // the peer sent Close
  bool reset = false;          // reset either way, or the connection ended
  bool abandoned = false;      // its Stream was dropped after close_write: input is dropped
  std::string error;           // why it was reset
};
using StatePtr = std::shared_ptr<MplexStreamState>;

class MplexSession : public std::enable_shared_from_this<MplexSession> {
 public:
  MplexSession(std::unique_ptr<Stream> conn, MuxerLimits limits)
      : conn_(std::move(conn)), limits_(limits) {}

  asio::awaitable<void> run();
  std::unique_ptr<Stream> open_stream();
  asio::awaitable<std::unique_ptr<Stream>> accept_stream();
  void close() noexcept {
    if (!ended_) closed_locally_ = true;
    end("mplex connection closed");
  }

  // For MplexStream.
  asio::awaitable<void> write(StatePtr st, std::span<const uint8_t> data);
  void close_write(const StatePtr& st);
  void reset(const StatePtr& st) noexcept;
  void release(const StatePtr& st) noexcept;
  void consumed(const StatePtr&, size_t) {}  // no flow control

 private:
  using Map = std::unordered_map<uint64_t, StatePtr>;
  Map& map_of(bool opened_here) { return opened_here ? outbound_ : inbound_; }
  bool tracked(const MplexStreamState& st) {
    auto& m = map_of(st.opened_here);
    auto it = m.find(st.id);
    return it != m.end() && it->second.get() == &st;
  }
  void forget(const MplexStreamState& st) {
    if (tracked(st)) map_of(st.opened_here).erase(st.id);
  }
  void send_control(uint64_t id, MplexFlag flag);
  static void mark_reset(MplexStreamState& st, const std::string& why) noexcept;
  void end(const std::string& why) noexcept;
  asio::awaitable<void> read_loop();
  void handle(const mux::MplexHeader& h);
  void deliver(std::span<const uint8_t> body);

  std::unique_ptr<Stream> conn_;
  const MuxerLimits limits_;
  mux::WriteQueue queue_;
  Map outbound_, inbound_;
  std::deque<StatePtr> accept_queue_;
  mux::Signal accepted_;
  uint64_t next_id_ = 0;
  bool running_ = false;
  bool ended_ = false;
  bool closed_locally_ = false;
  std::string end_reason_;
  // The frame body being read: the stream it goes to (null: dropped) and the
  // bytes still to come.
  StatePtr body_target_;
  uint64_t body_left_ = 0;
};

using MplexStream = mux::StreamHandle<MplexSession, MplexStreamState>;

void MplexSession::mark_reset(MplexStreamState& st, const std::string& why) noexcept {
  if (st.reset) return;
  st.reset = true;
  try {
    st.error = why;
  } catch (...) {
  }
  st.in.clear();
  st.signal.notify();
}

void MplexSession::send_control(uint64_t id, MplexFlag flag) {
  std::vector<uint8_t> header;
  mux::append_mplex_header(header, {id, flag, 0});
  queue_.push(header, {});
}

void MplexSession::end(const std::string& why) noexcept {
  if (ended_) return;
  ended_ = true;
  try {
    end_reason_ = why;
  } catch (...) {
  }
  for (auto* m : {&outbound_, &inbound_}) {
    for (auto& [id, st] : *m)
      mark_reset(*st, why);
    m->clear();
  }
  accept_queue_.clear();
  body_target_.reset();
  accepted_.notify();
  queue_.close();
  conn_->reset();
}

std::unique_ptr<Stream> MplexSession::open_stream() {
  if (ended_) throw NetError("mplex: connection ended: " + end_reason_);
  if (outbound_.size() >= limits_.max_streams)
    throw NetError("mplex: " + std::to_string(outbound_.size()) +
                   " outbound streams open, the limit");
  if (next_id_ > mux::kMplexMaxStreamId) throw NetError("mplex: stream ids exhausted");
  const uint64_t id = next_id_++;
  auto st = std::make_shared<MplexStreamState>(id, true);
  outbound_.emplace(id, st);
  // The stream's name is its id in decimal, as js-libp2p names its streams.
  const std::string name = std::to_string(id);
  std::vector<uint8_t> header;
  mux::append_mplex_header(header, {id, MplexFlag::kNewStream, name.size()});
  queue_.push(header, {reinterpret_cast<const uint8_t*>(name.data()), name.size()});
  return std::make_unique<MplexStream>(std::move(st), weak_from_this());
}

asio::awaitable<std::unique_ptr<Stream>> MplexSession::accept_stream() {
  const auto self = shared_from_this();
  for (;;) {
    if (ended_) throw NetError("mplex: connection ended: " + end_reason_);
    if (!accept_queue_.empty()) {
      StatePtr st = std::move(accept_queue_.front());
      accept_queue_.pop_front();
      co_return std::make_unique<MplexStream>(std::move(st), weak_from_this());
    }
    co_await accepted_.wait();
  }
}

asio::awaitable<void> MplexSession::write(StatePtr st, std::span<const uint8_t> data) {
  const auto self = shared_from_this();
  size_t done = 0;
  while (done < data.size()) {
    // At most kMaxQueuedFrames frames of one stream wait: fairness and memory.
    while (!st->reset && !st->local_closed &&
           st->queued_frames >= mux::WriteQueue::kMaxQueuedFrames)
      co_await st->signal.wait();
    if (st->reset) throw NetError(st->name() + ": " + st->error);
    if (st->local_closed) throw NetError(st->name() + ": write after close_write");
    const size_t n = std::min(kMaxDataFrame, data.size() - done);
    std::vector<uint8_t> header;
    mux::append_mplex_header(header, {st->id, st->flag(MplexFlag::kMessageInitiator), n});
    queue_.push(header, data.subspan(done, n), st);
    done += n;
  }
}

void MplexSession::close_write(const StatePtr& st) {
  if (st->reset) throw NetError(st->name() + ": " + st->error);
  if (st->local_closed) return;
  st->local_closed = true;
  send_control(st->id, st->flag(MplexFlag::kCloseInitiator));
  if (st->remote_closed) forget(*st);
  st->signal.notify();  // a write waiting for room fails now
}

void MplexSession::reset(const StatePtr& st) noexcept {
  if (st->reset) return;
  if (tracked(*st)) {
    try {
      send_control(st->id, st->flag(MplexFlag::kResetInitiator));
    } catch (...) {  // out of memory: the peer learns when the connection ends
    }
    forget(*st);
  }
  mark_reset(*st, "reset locally");
}

void MplexSession::release(const StatePtr& st) noexcept {
  if (st->reset || (st->local_closed && st->remote_closed)) return;
  if (!st->local_closed) {
    reset(st);
    return;
  }
  st->abandoned = true;
  st->in.clear();
}

asio::awaitable<void> MplexSession::run() {
  const auto self = shared_from_this();
  if (running_) throw std::logic_error("mplex: run() called twice");
  running_ = true;
  if (ended_) co_return;
  asio::co_spawn(
      co_await asio::this_coro::executor,
      [](std::shared_ptr<MplexSession> s) -> asio::awaitable<void> {
        try {
          co_await s->queue_.run(*s->conn_);
        } catch (const std::exception& e) {
          s->end(std::string("mplex: write failed: ") + e.what());
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
    end("mplex connection closed by the peer");
    co_return;
  }
  if (closed_locally_ && !protocol) co_return;
  if (ended_ && !protocol) throw NetError(end_reason_);  // the writer failed first
  try {
    std::rethrow_exception(failure);
  } catch (const std::exception& e) {
    end(e.what());
  }
  std::rethrow_exception(failure);
}

asio::awaitable<void> MplexSession::read_loop() {
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
        if (body_left_ == 0) body_target_.reset();
        continue;
      }
      const auto d =
          mux::decode_mplex_header({buf.data() + begin, end - begin}, limits_.max_frame_size);
      if (d) {
        begin += d->header_size;
        handle(d->header);
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
      if (body_left_ > 0 || end > 0) throw NetError("mplex: connection ended inside a frame");
      co_return;
    }
    end += n;
  }
}

void MplexSession::deliver(std::span<const uint8_t> body) {
  auto& st = body_target_;
  if (!st || st->reset || st->abandoned) return;
  st->in.append(body);
  st->signal.notify();
}

void MplexSession::handle(const mux::MplexHeader& h) {
  body_target_.reset();
  body_left_ = h.length;
  if (h.flag == MplexFlag::kNewStream) {
    if (inbound_.count(h.stream_id))
      throw ProtocolError("mplex: stream " + std::to_string(h.stream_id) + " opened twice");
    if (inbound_.size() >= limits_.max_streams) {
      // Refused: reset it without setting it up (its name is dropped).
      send_control(h.stream_id, MplexFlag::kResetReceiver);
      queue_.add_reply_bytes(mux::kMplexMaxHeaderSize);
      return;
    }
    auto st = std::make_shared<MplexStreamState>(h.stream_id, false);
    inbound_.emplace(h.stream_id, st);
    accept_queue_.push_back(std::move(st));
    accepted_.notify();
    return;  // the name is dropped: nothing here uses it
  }
  auto& m = map_of(!mux::mplex_from_initiator(h.flag));
  const auto it = m.find(h.stream_id);
  if (it == m.end()) return;  // a stream already gone (reset, closed): dropped
  const StatePtr st = it->second;
  switch (h.flag) {
    case MplexFlag::kMessageInitiator:
    case MplexFlag::kMessageReceiver:
      if (st->abandoned || st->remote_closed) return;
      if (st->in.size() + h.length > limits_.stream_buffer) {
        send_control(st->id, st->flag(MplexFlag::kResetInitiator));
        queue_.add_reply_bytes(mux::kMplexMaxHeaderSize);
        forget(*st);
        mark_reset(*st, "receive buffer of " + std::to_string(limits_.stream_buffer) +
                            " bytes overrun (reader too slow)");
        return;
      }
      body_target_ = st;
      return;
    case MplexFlag::kCloseInitiator:
    case MplexFlag::kCloseReceiver:
      st->remote_closed = true;
      st->signal.notify();
      if (st->local_closed) forget(*st);
      return;
    case MplexFlag::kResetInitiator:
    case MplexFlag::kResetReceiver:
      forget(*st);
      mark_reset(*st, "reset by the peer");
      return;
    case MplexFlag::kNewStream:
      break;
  }
}

class MplexConnection final : public MuxedConnection {
 public:
  MplexConnection(std::unique_ptr<Stream> conn, MuxerLimits limits)
      : s_(std::make_shared<MplexSession>(std::move(conn), limits)) {}
  ~MplexConnection() override { s_->close(); }

  // Each coroutine holds the session by value, so the connection object may
  // go away while they run.
  asio::awaitable<void> run() override { return run_session(s_); }
  asio::awaitable<std::unique_ptr<Stream>> open_stream() override { return open(s_); }
  asio::awaitable<std::unique_ptr<Stream>> accept_stream() override { return accept(s_); }
  void close() noexcept override { s_->close(); }

 private:
  static asio::awaitable<void> run_session(std::shared_ptr<MplexSession> s) { co_await s->run(); }
  static asio::awaitable<std::unique_ptr<Stream>> open(std::shared_ptr<MplexSession> s) {
    co_return s->open_stream();
  }
  static asio::awaitable<std::unique_ptr<Stream>> accept(std::shared_ptr<MplexSession> s) {
    co_return co_await s->accept_stream();
  }

  std::shared_ptr<MplexSession> s_;
};

}  // namespace

std::unique_ptr<MuxedConnection> make_mplex(std::unique_ptr<Stream> conn, bool /*initiator*/,
                                            MuxerLimits limits) {
  return std::make_unique<MplexConnection>(std::move(conn), limits);
}

}  // namespace codex::net
