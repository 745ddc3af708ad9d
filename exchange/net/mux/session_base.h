#pragma once
// What mplex and yamux sessions share: the streams' common state, the table
// of open streams with its limits, the accept queue, the read loop skeleton
// (frame headers, then bodies handed to streams piece by piece as they
// arrive), the writer beside it, and how a session ends: every stream reset,
// every waiter woken, the connection closed.
//
// Derived (CRTP) provides:
//   std::optional<std::pair<Header, size_t>> decode(std::span<const uint8_t>)
//       a header at the front and its size, nullopt when cut; throws
//       ProtocolError
//   void handle(const Header&)   acts on a header; sets body_left_ and
//                                body_target_ for a body to keep
//   void deliver(std::span<const uint8_t>)  a piece of the body (body_target_)
//   void body_done()             the body is complete
//   bool stop_reading()          ends the read loop cleanly (yamux GoAway)
//   void clean_end()             the read loop ended cleanly: end() (may throw)
//   asio::awaitable<void> protocol_end()  before a protocol violation ends it
//   void reset(const StatePtr&) noexcept, void consumed(const StatePtr&, size_t)
#include <algorithm>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/post.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <cstring>
#include <deque>
#include <exception>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "exchange/net/error.h"
#include "exchange/net/mux/recv_buffer.h"
#include "exchange/net/mux/stream_handle.h"
#include "exchange/net/mux/write_queue.h"
#include "exchange/net/muxer.h"

namespace codex::net::mux {

// The state of one stream, shared by its Stream handle and its session.
struct StreamState : WriteOwner {
  StreamState(uint64_t id, bool opened_here) : id(id), opened_here(opened_here) {}

  // Resets it (once): buffered input dropped, waiters woken.
  void mark_reset(const std::string& why) noexcept {
    if (reset) return;
    reset = true;
    try {
      error = why;
    } catch (...) {
    }
    in.clear();
    signal.notify();
  }

  // Data received for the reader: straight into the buffer of a reader
  // waiting in read_some when nothing is queued before it (one copy fewer
  // than through `in`), the rest queued.
  void receive(std::span<const uint8_t> data) {
    if (in.empty() && direct < reader.size()) {
      const size_t n = std::min(data.size(), reader.size() - direct);
      std::memcpy(reader.data() + direct, data.data(), n);
      direct += n;
      data = data.subspan(n);
    }
    in.append(data);
    signal.notify();
  }

  // A reader waits and its buffer is full: it has to run before more data
  // can go straight to it.
  bool reader_filled() const { return !reader.empty() && direct == reader.size(); }

  const uint64_t id;
  const bool opened_here;      // we opened it
  RecvBuffer in;               // received, not taken by the reader yet
  std::span<uint8_t> reader;   // the buffer of the reader waiting now, if any
  size_t direct = 0;           // bytes received into `reader`
  bool local_closed = false;   // we closed our writing half
  bool remote_closed = false;  // the peer closed its writing half
  bool reset = false;          // reset either way, or the connection ended
  bool abandoned = false;      // its Stream was dropped after close_write: input is dropped
  std::string error;           // why it was reset
};

template <typename Derived, typename State, typename Header>
class SessionBase : public std::enable_shared_from_this<Derived> {
 public:
  using StatePtr = std::shared_ptr<State>;

  SessionBase(std::unique_ptr<Stream> conn, MuxerLimits limits, std::string name)
      : conn_(std::move(conn)), limits_(limits), name_(std::move(name)) {}

  asio::awaitable<void> run();
  asio::awaitable<std::unique_ptr<Stream>> accept_stream();

  void close() noexcept {
    if (!ended_) closed_locally_ = true;
    end(name_ + " connection closed");
  }

  // The Stream of `st` is gone: a stream still open for writing is reset;
  // after close_write its input is dropped from now on.
  void release(const StatePtr& st) noexcept {
    if (st->reset || (st->local_closed && st->remote_closed)) return;
    if (!st->local_closed) {
      self().reset(st);
      return;
    }
    st->abandoned = true;
    const size_t dropped = st->in.size();
    st->in.clear();
    try {
      self().consumed(st, dropped);
    } catch (...) {
    }
  }

 protected:
  // Answers to the peer (resets of refused streams, pings) queued before the
  // read loop waits for them to be written: a peer that never reads cannot
  // make us queue answers without bound.
  static constexpr size_t kMaxReplyBytes = 64 * 1024;
  static constexpr size_t kReadBuffer = 256 * 1024;

  static uint64_t key(uint64_t id, bool opened_here) { return id << 1 | (opened_here ? 1 : 0); }
  StatePtr find(uint64_t id, bool opened_here) const {
    const auto it = streams_.find(key(id, opened_here));
    return it == streams_.end() ? nullptr : it->second;
  }
  bool tracked(const State& st) const {
    const auto it = streams_.find(key(st.id, st.opened_here));
    return it != streams_.end() && it->second.get() == &st;
  }
  void track(const StatePtr& st) {
    streams_.emplace(key(st->id, st->opened_here), st);
    ++(st->opened_here ? outbound_ : inbound_);
  }
  void forget(const State& st) {
    if (!tracked(st)) return;
    --(st.opened_here ? outbound_ : inbound_);
    streams_.erase(key(st.id, st.opened_here));
  }
  // Both halves closed: the stream is over.
  void maybe_forget(const State& st) {
    if (st.local_closed && st.remote_closed) forget(st);
  }
  void check_open_allowed() const {
    if (ended_) throw NetError(name_ + ": connection ended: " + end_reason_);
    if (outbound_ >= limits_.max_streams)
      throw NetError(name_ + ": " + std::to_string(outbound_) +
                     " outbound streams open, the limit");
  }
  std::unique_ptr<Stream> handle_of(StatePtr st) {
    return std::make_unique<StreamHandle<Derived, State>>(std::move(st), this->weak_from_this());
  }
  void offer(const StatePtr& st) {
    accept_queue_.push_back(st);
    accepted_.notify();
  }

  void end(const std::string& why) noexcept {
    if (ended_) return;
    ended_ = true;
    try {
      end_reason_ = why;
    } catch (...) {
    }
    for (auto& [key, st] : streams_)
      st->mark_reset(why);
    streams_.clear();
    outbound_ = inbound_ = 0;
    accept_queue_.clear();
    body_target_.reset();
    accepted_.notify();
    queue_.close();
    conn_->reset();
  }

  std::unique_ptr<Stream> conn_;
  const MuxerLimits limits_;
  const std::string name_;
  WriteQueue queue_;
  size_t outbound_ = 0, inbound_ = 0;
  bool ended_ = false;
  std::string end_reason_;
  // The frame body being read: the stream it goes to (null: dropped) and the
  // bytes still to come.
  StatePtr body_target_;
  uint64_t body_left_ = 0;

 private:
  Derived& self() { return static_cast<Derived&>(*this); }
  asio::awaitable<void> read_loop();

  std::unordered_map<uint64_t, StatePtr> streams_;
  std::deque<StatePtr> accept_queue_;
  Signal accepted_;
  bool running_ = false;
  bool closed_locally_ = false;
};

template <typename Derived, typename State, typename Header>
asio::awaitable<void> SessionBase<Derived, State, Header>::run() {
  const auto keep = this->shared_from_this();
  if (running_) throw std::logic_error(name_ + ": run() called twice");
  running_ = true;
  if (ended_) co_return;
  asio::co_spawn(
      co_await asio::this_coro::executor,
      [](std::shared_ptr<Derived> s) -> asio::awaitable<void> {
        try {
          co_await s->queue_.run(*s->conn_);
        } catch (const std::exception& e) {
          s->end(s->name_ + ": write failed: " + e.what());
        }
      }(keep),
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
    self().clean_end();
    co_return;
  }
  if (closed_locally_ && !protocol) co_return;
  if (ended_ && !protocol) throw NetError(end_reason_);  // the writer failed first
  if (protocol && !ended_) co_await self().protocol_end();
  try {
    std::rethrow_exception(failure);
  } catch (const std::exception& e) {
    end(e.what());
  }
  std::rethrow_exception(failure);
}

template <typename Derived, typename State, typename Header>
asio::awaitable<void> SessionBase<Derived, State, Header>::read_loop() {
  std::vector<uint8_t> buf(kReadBuffer);
  size_t begin = 0, end = 0;
  for (;;) {
    if (ended_) throw NetError(end_reason_);
    if (begin < end) {
      if (body_left_ > 0) {
        const size_t n = size_t(std::min<uint64_t>(end - begin, body_left_));
        bool filled = false;
        if (body_target_) {
          self().deliver({buf.data() + begin, n});
          filled = body_target_->reader_filled();
        }
        begin += n;
        body_left_ -= n;
        if (body_left_ == 0) {
          body_target_.reset();
          self().body_done();
        }
        // A reader whose buffer this filled runs before more is received
        // for it: it offers its next buffer, and the data goes straight
        // there instead of through its queue.
        if (filled) co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
        continue;
      }
      if (const auto h = self().decode({buf.data() + begin, end - begin})) {
        begin += h->second;
        body_target_.reset();
        body_left_ = 0;
        self().handle(h->first);
        if (self().stop_reading()) co_return;
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
      if (body_left_ > 0 || end > 0) throw NetError(name_ + ": connection ended inside a frame");
      co_return;
    }
    end += n;
  }
}

template <typename Derived, typename State, typename Header>
asio::awaitable<std::unique_ptr<Stream>> SessionBase<Derived, State, Header>::accept_stream() {
  const auto keep = this->shared_from_this();
  for (;;) {
    if (ended_) throw NetError(name_ + ": connection ended: " + end_reason_);
    if (!accept_queue_.empty()) {
      StatePtr st = std::move(accept_queue_.front());
      accept_queue_.pop_front();
      co_return handle_of(std::move(st));
    }
    co_await accepted_.wait();
  }
}

// The MuxedConnection of a session. Each coroutine holds the session by
// value, so the connection object may go away while they run.
template <typename Session>
class SessionConnection final : public MuxedConnection {
 public:
  explicit SessionConnection(std::shared_ptr<Session> s) : s_(std::move(s)) {}
  ~SessionConnection() override { s_->close(); }

  asio::awaitable<void> run() override { return run_session(s_); }
  asio::awaitable<std::unique_ptr<Stream>> open_stream() override { return open(s_); }
  asio::awaitable<std::unique_ptr<Stream>> accept_stream() override { return accept(s_); }
  void close() noexcept override { s_->close(); }

 private:
  static asio::awaitable<void> run_session(std::shared_ptr<Session> s) { co_await s->run(); }
  static asio::awaitable<std::unique_ptr<Stream>> open(std::shared_ptr<Session> s) {
    co_return s->open_stream();
  }
  static asio::awaitable<std::unique_ptr<Stream>> accept(std::shared_ptr<Session> s) {
    co_return co_await s->accept_stream();
  }

  std::shared_ptr<Session> s_;
};

}  // namespace codex::net::mux
