#include "exchange/net/mux/mplex.h"

#include <algorithm>
#include <string>
#include <vector>

#include "exchange/net/error.h"
#include "exchange/net/mux/mplex_frame.h"
#include "exchange/net/mux/session_base.h"

namespace codex::net {
namespace {

using mux::MplexFlag;
using mux::MplexHeader;

// Data frames we send: small enough that streams interleave finely, large
// enough that headers cost nothing (js-libp2p and nim send up to 1 MiB).
constexpr size_t kMaxDataFrame = 64 * 1024;

struct MplexStreamState : mux::StreamState {
  using StreamState::StreamState;

  // The flag of a frame we send on this stream, given its Initiator form
  // (the Receiver form is one less).
  MplexFlag flag(MplexFlag initiator_form) const {
    return opened_here ? initiator_form : MplexFlag(uint8_t(initiator_form) - 1);
  }
  std::string name() const {
    return std::string("mplex stream ") + (opened_here ? "out " : "in ") + std::to_string(id);
  }
};

class MplexSession final : public mux::SessionBase<MplexSession, MplexStreamState, MplexHeader> {
 public:
  MplexSession(std::unique_ptr<Stream> conn, MuxerLimits limits)
      : SessionBase(std::move(conn), limits, "mplex") {}

  std::unique_ptr<Stream> open_stream();

  // For the stream handles.
  asio::awaitable<void> write(StatePtr st, std::span<const uint8_t> data);
  void close_write(const StatePtr& st);
  void reset(const StatePtr& st) noexcept;
  void consumed(const StatePtr&, size_t) {}  // no flow control

  // For SessionBase.
  std::optional<std::pair<MplexHeader, size_t>> decode(std::span<const uint8_t> in) const {
    const auto d = mux::decode_mplex_header(in, limits_.max_frame_size);
    if (!d) return std::nullopt;
    return std::pair(d->header, d->header_size);
  }
  void handle(const MplexHeader& h);
  void deliver(std::span<const uint8_t> body) {
    if (body_target_->reset || body_target_->abandoned) return;
    body_target_->receive(body);
  }
  void body_done() {}
  bool stop_reading() const { return false; }
  void clean_end() { end("mplex connection closed by the peer"); }
  asio::awaitable<void> protocol_end() { co_return; }

 private:
  void send_control(uint64_t id, MplexFlag flag);
  uint64_t next_id_ = 0;
};

void MplexSession::send_control(uint64_t id, MplexFlag flag) {
  std::vector<uint8_t> header;
  mux::append_mplex_header(header, {id, flag, 0});
  queue_.push(header, {});
}

std::unique_ptr<Stream> MplexSession::open_stream() {
  check_open_allowed();
  if (next_id_ > mux::kMplexMaxStreamId) throw NetError("mplex: stream ids exhausted");
  const uint64_t id = next_id_++;
  auto st = std::make_shared<MplexStreamState>(id, true);
  track(st);
  // The stream's name is its id in decimal, as js-libp2p names its streams.
  const std::string name = std::to_string(id);
  std::vector<uint8_t> header;
  mux::append_mplex_header(header, {id, MplexFlag::kNewStream, name.size()});
  queue_.push(header, {reinterpret_cast<const uint8_t*>(name.data()), name.size()});
  return handle_of(std::move(st));
}

asio::awaitable<void> MplexSession::write(StatePtr st, std::span<const uint8_t> data) {
  const auto keep = shared_from_this();
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
  maybe_forget(*st);
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
  st->mark_reset("reset locally");
}

void MplexSession::handle(const MplexHeader& h) {
  body_left_ = h.length;  // dropped unless a stream takes it below
  if (h.flag == MplexFlag::kNewStream) {
    if (find(h.stream_id, false))
      throw ProtocolError("mplex: stream " + std::to_string(h.stream_id) + " opened twice");
    if (inbound_ >= limits_.max_streams) {
      // Refused: reset without setting it up.
      send_control(h.stream_id, MplexFlag::kResetReceiver);
      queue_.add_reply_bytes(mux::kMplexMaxHeaderSize);
      return;
    }
    auto st = std::make_shared<MplexStreamState>(h.stream_id, false);
    track(st);
    offer(st);
    return;  // the name is dropped: nothing here uses it
  }
  const StatePtr st = find(h.stream_id, !mux::mplex_from_initiator(h.flag));
  if (!st) return;  // a stream already gone (reset, closed): dropped
  switch (h.flag) {
    case MplexFlag::kMessageInitiator:
    case MplexFlag::kMessageReceiver:
      if (st->abandoned || st->remote_closed) return;
      // No flow control in mplex: a reader that lags this far loses the stream.
      if (st->in.size() + h.length > limits_.stream_buffer) {
        send_control(st->id, st->flag(MplexFlag::kResetInitiator));
        queue_.add_reply_bytes(mux::kMplexMaxHeaderSize);
        forget(*st);
        st->mark_reset("receive buffer of " + std::to_string(limits_.stream_buffer) +
                       " bytes overrun (reader too slow)");
        return;
      }
      body_target_ = st;
      return;
    case MplexFlag::kCloseInitiator:
    case MplexFlag::kCloseReceiver:
      st->remote_closed = true;
      st->signal.notify();
      maybe_forget(*st);
      return;
    case MplexFlag::kResetInitiator:
    case MplexFlag::kResetReceiver:
      forget(*st);
      st->mark_reset("reset by the peer");
      return;
    case MplexFlag::kNewStream:
      break;
  }
}

}  // namespace

std::unique_ptr<MuxedConnection> make_mplex(std::unique_ptr<Stream> conn, bool /*initiator*/,
                                            MuxerLimits limits) {
  return std::make_unique<mux::SessionConnection<MplexSession>>(
      std::make_shared<MplexSession>(std::move(conn), limits));
}

}  // namespace codex::net
