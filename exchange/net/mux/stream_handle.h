#pragma once
// The Stream a muxer gives out: the stream's state, shared with the session,
// and a weak link to the session, so the Stream may outlive its connection
// (operations then throw NetError; nothing dangles).
//
// Session provides: write(StatePtr, span), close_write(StatePtr),
// reset(StatePtr), release(StatePtr) (the Stream is gone) and
// consumed(StatePtr, n) (the reader took n bytes: yamux grants window).
// State provides: in (RecvBuffer), reset, remote_closed, signal, name(), error.
#include <asio/awaitable.hpp>
#include <memory>
#include <span>
#include <string>
#include <utility>

#include "exchange/net/error.h"
#include "exchange/net/stream.h"

namespace codex::net::mux {

template <typename Session, typename State>
class StreamHandle final : public Stream {
 public:
  StreamHandle(std::shared_ptr<State> st, std::weak_ptr<Session> session)
      : st_(std::move(st)), session_(std::move(session)) {}
  ~StreamHandle() override {
    if (auto s = session_.lock()) s->release(st_);
  }
  StreamHandle(const StreamHandle&) = delete;
  StreamHandle& operator=(const StreamHandle&) = delete;

  asio::awaitable<size_t> read_some(std::span<uint8_t> buf) override {
    const std::shared_ptr<State> st = st_;
    for (;;) {
      if (st->reset) throw NetError(st->name() + ": " + st->error);
      if (!st->in.empty()) {
        const size_t n = st->in.take(buf);
        if (auto s = session_.lock()) s->consumed(st, n);
        co_return n;
      }
      if (st->remote_closed || buf.empty()) co_return 0;
      const size_t got = co_await wait_for_data(st, buf);
      if (got > 0 && !st->reset) {
        if (auto s = session_.lock()) s->consumed(st, got);
        co_return got;
      }
    }
  }

  asio::awaitable<void> write(std::span<const uint8_t> data) override {
    auto s = session();
    co_await s->write(st_, data);
  }

  asio::awaitable<void> close_write() override {
    session()->close_write(st_);
    co_return;
  }

  void reset() noexcept override {
    if (auto s = session_.lock()) s->reset(st_);
  }

 private:
  // `buf` offered to the session while the reader waits (State::receive);
  // on return it is withdrawn. Bytes put there for a wait that ends by an
  // exception (cancelled) go back in front of the queue.
  struct Offer {
    Offer(State& s, std::span<uint8_t> b) : st(s), buf(b) {
      st.reader = buf;
      st.direct = 0;
    }
    ~Offer() {
      st.reader = {};
      if (st.direct > 0 && !st.reset) st.in.prepend(buf.first(st.direct));
      st.direct = 0;
    }
    Offer(const Offer&) = delete;
    Offer& operator=(const Offer&) = delete;
    State& st;
    std::span<uint8_t> buf;
  };

  // Waits for data; returns the bytes received straight into `buf`.
  static asio::awaitable<size_t> wait_for_data(std::shared_ptr<State> st, std::span<uint8_t> buf) {
    Offer offer(*st, buf);
    co_await st->signal.wait();
    co_return std::exchange(st->direct, 0);
  }

  std::shared_ptr<Session> session() const {
    auto s = session_.lock();
    if (!s) throw NetError(st_->name() + ": connection gone");
    return s;
  }

  std::shared_ptr<State> st_;
  std::weak_ptr<Session> session_;
};

}  // namespace codex::net::mux
