#include "exchange/net/blockexc/engine.h"

#include <algorithm>
#include <asio/async_result.hpp>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/post.hpp>
#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/thread_pool.hpp>
#include <asio/use_awaitable.hpp>
#include <deque>
#include <random>
#include <unordered_map>
#include <unordered_set>

#include "exchange/net/blockexc/message_reader.h"
#include "exchange/net/blockexc/verify.h"
#include "exchange/net/host.h"
#include "exchange/store/repo.h"

namespace codex::net::blockexc {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kForever = std::chrono::hours(24 * 365);
// Presences queued for one peer before we stop reading its want lists.
constexpr size_t kMaxQueuedPresences = 4 * kMaxPresences;

std::span<const uint8_t> as_bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// Written delivery buffers a peer keeps for its next messages: a delivery
// message is over a megabyte, and a fresh one each time costs page faults.
constexpr size_t kSpareBuffers = 4;

// Waits until `t` is cancelled or `d` passes; never throws.
asio::awaitable<void> sleep_on(asio::steady_timer& t, Clock::duration d) {
  t.expires_after(d);
  std::error_code ec;
  co_await t.async_wait(asio::redirect_error(asio::use_awaitable, ec));
}

}  // namespace

struct Engine::Impl : std::enable_shared_from_this<Impl> {
  Impl(Host& h, store::Repo& r, EngineConfig c)
      : host(h), repo(r), cfg(std::move(c)), ex(h.executor()), rng(std::random_device{}()) {}

  // A peer we exchange with: its outbound stream and send queues, what it
  // wants from us, and how it served us.
  struct Peer {
    Peer(PeerId p, const asio::any_io_executor& e) : id(std::move(p)), wake(e), space(e) {}
    PeerId id;
    bool closed = false;
    std::unique_ptr<Stream> out;
    asio::steady_timer wake;   // the sender waits on it for work
    asio::steady_timer space;  // serving runners wait on it for queue space
    std::vector<WantEntry> out_entries;
    std::vector<BlockPresence> out_presences;
    std::deque<std::string> out_deliveries;  // framed messages
    std::vector<std::string> spare;          // written ones, for reuse
    size_t queued_bytes = 0;
    // Serving: entries it wants, in order; cancelled ones are skipped.
    std::deque<WantEntry> wanted;
    std::unordered_set<std::string> wanted_keys;
    bool scheduled = false;
    // Requesting.
    size_t outstanding = 0;
    uint64_t delivered = 0, failed = 0;
  };

  // A block we want: its download loop and the callers waiting for it.
  struct Pending {
    Pending(BlockAddress a, const asio::any_io_executor& e)
        : address(std::move(a)), key(address.key()), done_timer(e), wake(e) {
      // Set once: every waiter waits on it, and re-arming would cancel the others.
      done_timer.expires_at(Clock::time_point::max());
    }
    BlockAddress address;
    std::string key;
    bool done = false;
    std::optional<std::string> data;
    std::exception_ptr error;
    asio::steady_timer done_timer;  // waiters; cancelled when done
    asio::steady_timer wake;        // the download loop
    bool signalled = false;
    std::vector<PeerId> haves;  // peers that announced it
    std::unordered_set<PeerId, PeerIdHash> asked_have, asked_block;
    std::optional<PeerId> requested;  // the peer asked for the block now
    size_t waiters = 0;
    int max_attempts = 0;  // the lowest limit any waiter asked for
  };

  Host& host;
  store::Repo& repo;
  EngineConfig cfg;
  asio::any_io_executor ex;
  // The store thread (see engine.h): one thread, so writes queue there in
  // order instead of contending for the database's one writer.
  asio::thread_pool store{1};
  std::mt19937_64 rng;
  bool running = false;
  bool stopped = false;
  EngineStats st;
  std::vector<BlockHook> hooks;
  std::unordered_map<PeerId, std::shared_ptr<Peer>, PeerIdHash> peers;
  std::unordered_map<std::string, std::shared_ptr<Pending>> pending;
  std::deque<std::shared_ptr<Peer>> ready;  // peers with wants to serve
  size_t runners = 0;
  std::unordered_set<Stream*> inbound;  // reset at stop()

  // ---- the store thread ---------------------------------------------------

  // Runs f() on the store thread; the caller resumes on the network thread
  // with its result or exception. (Not co_spawn of a capturing lambda: GCC 12
  // destroys such captures twice.)
  template <typename F>
  asio::awaitable<std::invoke_result_t<F&>> on_store(F f) {
    using R = std::invoke_result_t<F&>;
    auto initiate = [this, f = std::move(f)](auto handler) mutable {
      asio::post(store, [f = std::move(f), handler = std::move(handler)]() mutable {
        std::exception_ptr error;
        R result{};
        try {
          result = f();
        } catch (...) {
          error = std::current_exception();
        }
        const auto back = asio::get_associated_executor(handler);
        asio::post(back,
                   [handler = std::move(handler), error, result = std::move(result)]() mutable {
                     handler(error, std::move(result));
                   });
      });
    };
    co_return co_await asio::async_initiate<const asio::use_awaitable_t<>&,
                                            void(std::exception_ptr, R)>(std::move(initiate),
                                                                         asio::use_awaitable);
  }

  std::optional<std::string> read_local(const BlockAddress& a) const {
    if (!a.leaf) return repo.get_block(a.cid);
    const auto leaf = repo.get_leaf(a.tree_cid, a.index);
    if (!leaf) return std::nullopt;
    return repo.get_block(leaf->block);
  }

  bool has_local(const BlockAddress& a) const {
    if (!a.leaf) return repo.has_block(a.cid);
    const auto leaf = repo.get_leaf(a.tree_cid, a.index);
    return leaf && repo.has_block(leaf->block);
  }

  // ---- peers and sending --------------------------------------------------

  std::shared_ptr<Peer> peer_of(const PeerId& id) {
    if (const auto it = peers.find(id); it != peers.end()) return it->second;
    if (!running || !host.connected(id)) return nullptr;
    auto p = std::make_shared<Peer>(id, ex);
    peers.emplace(id, p);
    asio::co_spawn(ex, sender(shared_from_this(), p), asio::detached);
    // A new peer gets the full want list (spec §8.3, knowledge refresh).
    for (auto& [key, want] : pending)
      if (!want->done) ask_have(*want, *p);
    return p;
  }

  void peer_gone(const PeerId& id) {
    const auto it = peers.find(id);
    if (it == peers.end()) return;
    close_peer(*it->second);
    peers.erase(it);
    for (auto& [key, want] : pending) {
      std::erase(want->haves, id);
      want->asked_have.erase(id);
      if (want->requested == id) signal(*want);
    }
  }

  void close_peer(Peer& p) {
    p.closed = true;
    if (p.out) p.out->reset();
    p.wake.cancel();
    p.space.cancel();
    p.out_entries.clear();
    p.out_presences.clear();
    p.out_deliveries.clear();
    p.queued_bytes = 0;
    p.wanted.clear();
    p.wanted_keys.clear();
  }

  void ask_have(Pending& want, Peer& p) {
    if (p.closed || !want.asked_have.insert(p.id).second) return;
    WantEntry e;
    e.address = want.address;
    e.type = WantType::kWantHave;
    e.send_dont_have = true;
    p.out_entries.push_back(std::move(e));
    p.wake.cancel();
  }

  static asio::awaitable<void> sender(std::shared_ptr<Impl> self, std::shared_ptr<Peer> p) {
    try {
      while (self->running && !p->closed) {
        if (p->out_entries.empty() && p->out_presences.empty() && p->out_deliveries.empty()) {
          co_await sleep_on(p->wake, kForever);
          continue;
        }
        if (!p->out) {
          const std::vector<std::string> protos = {std::string(kProtocol)};
          auto s = co_await self->host.open_stream(p->id, protos);
          if (p->closed || !self->running) {
            s->reset();
            break;
          }
          p->out = std::move(s);
        }
        // Want lists and presences first: they are small and unblock others.
        std::string bytes;
        bool delivery = false;
        if (!p->out_entries.empty() || !p->out_presences.empty()) {
          Message m;
          const size_t ne = std::min(p->out_entries.size(), kMaxWantEntries);
          const size_t np = std::min(p->out_presences.size(), kMaxPresences);
          m.want_list.entries.assign(std::make_move_iterator(p->out_entries.begin()),
                                     std::make_move_iterator(p->out_entries.begin() + ne));
          p->out_entries.erase(p->out_entries.begin(), p->out_entries.begin() + ne);
          m.presences.assign(std::make_move_iterator(p->out_presences.begin()),
                             std::make_move_iterator(p->out_presences.begin() + np));
          p->out_presences.erase(p->out_presences.begin(), p->out_presences.begin() + np);
          encode_framed(m, bytes);
        } else {
          bytes = std::move(p->out_deliveries.front());
          p->out_deliveries.pop_front();
          delivery = true;
        }
        co_await p->out->write(as_bytes(bytes));
        if (delivery) {
          p->queued_bytes -= std::min(p->queued_bytes, bytes.size());
          p->space.cancel();
          if (p->spare.size() < kSpareBuffers) p->spare.push_back(std::move(bytes));
        }
      }
    } catch (const std::exception&) {
      // The stream broke or the peer does not speak blockexc: it is no longer
      // a peer to exchange with (the connection's owner reports why).
    }
    if (!p->closed) self->close_peer(*p);
  }

  // ---- serving --------------------------------------------------------------

  asio::awaitable<void> handle_wants(std::shared_ptr<Peer> p, std::vector<WantEntry> entries) {
    std::vector<WantEntry> have_checks;
    for (auto& e : entries) {
      const std::string key = e.address.key();
      if (e.cancel) {
        p->wanted_keys.erase(key);
        continue;
      }
      if (e.type == WantType::kWantHave) {
        have_checks.push_back(std::move(e));
      } else if (p->wanted_keys.size() < cfg.max_peer_wants && p->wanted_keys.insert(key).second) {
        p->wanted.push_back(std::move(e));
      }
    }
    if (!have_checks.empty()) {
      // A peer that asks faster than it reads our replies is not read from
      // until its presence queue drains (polled: a rare, slow-peer case).
      asio::steady_timer poll(ex);
      while (running && !p->closed && p->out_presences.size() >= kMaxQueuedPresences)
        co_await sleep_on(poll, std::chrono::milliseconds(10));
      auto self = shared_from_this();
      auto check = [self, &have_checks] {
        std::vector<bool> out;
        for (const auto& e : have_checks)
          out.push_back(self->has_local(e.address));
        return out;
      };
      // A named lambda: GCC 12 destroys a lambda temporary in co_await twice.
      const std::vector<bool> local = co_await on_store(std::move(check));
      if (!running || p->closed) co_return;
      for (size_t i = 0; i < have_checks.size(); ++i) {
        if (!local[i] && !have_checks[i].send_dont_have) continue;
        BlockPresence presence;
        presence.address = have_checks[i].address;
        presence.type = local[i] ? PresenceType::kHave : PresenceType::kDontHave;
        p->out_presences.push_back(std::move(presence));
      }
      p->wake.cancel();
    }
    schedule(p);
  }

  void schedule(const std::shared_ptr<Peer>& p) {
    if (p->wanted.empty() || p->scheduled || p->closed) return;
    p->scheduled = true;
    ready.push_back(p);
    if (runners < cfg.task_runners) {
      ++runners;
      asio::co_spawn(ex, runner(shared_from_this()), asio::detached);
    }
  }

  static asio::awaitable<void> runner(std::shared_ptr<Impl> self) {
    while (self->running && !self->ready.empty()) {
      auto p = self->ready.front();
      self->ready.pop_front();
      p->scheduled = false;
      try {
        co_await self->serve_batch(p);
      } catch (const std::exception&) {
        // A store failure: these entries are not served; the peer retries.
      }
      if (self->running) self->schedule(p);
    }
    --self->runners;
  }

  asio::awaitable<void> serve_batch(std::shared_ptr<Peer> p) {
    // Bytes in flight per peer are bounded: wait for its queue to drain.
    while (running && !p->closed && p->queued_bytes >= cfg.max_peer_queued_bytes)
      co_await sleep_on(p->space, std::chrono::seconds(1));
    std::vector<WantEntry> batch;
    while (!p->wanted.empty() && batch.size() < kMaxDeliveries) {
      WantEntry e = std::move(p->wanted.front());
      p->wanted.pop_front();
      if (p->wanted_keys.erase(e.address.key())) batch.push_back(std::move(e));
    }
    if (batch.empty() || !running || p->closed) co_return;
    struct Found {
      std::optional<std::string> data;
      Cid cid;
      std::string proof;
    };
    auto self = shared_from_this();
    auto read = [self, &batch] {
      std::vector<Found> out(batch.size());
      for (size_t i = 0; i < batch.size(); ++i) {
        const BlockAddress& a = batch[i].address;
        if (!a.leaf) {
          out[i].data = self->repo.get_block(a.cid);
          out[i].cid = a.cid;
        } else if (auto leaf = self->repo.get_leaf(a.tree_cid, a.index)) {
          out[i].data = self->repo.get_block(leaf->block);
          out[i].cid = leaf->block;
          out[i].proof = std::move(leaf->proof);
        }
      }
      return out;
    };
    std::vector<Found> found = co_await on_store(std::move(read));
    if (!running || p->closed) co_return;
    Message m;
    for (size_t i = 0; i < batch.size(); ++i) {
      if (!found[i].data) {
        if (batch[i].send_dont_have)
          p->out_presences.push_back({batch[i].address, PresenceType::kDontHave, {}});
        continue;
      }
      BlockDelivery d;
      d.cid = std::move(found[i].cid);
      d.data = std::move(*found[i].data);
      d.address = batch[i].address;
      if (d.address.leaf) d.proof = std::move(found[i].proof);
      m.deliveries.push_back(std::move(d));
    }
    if (!m.deliveries.empty()) {
      st.blocks_sent += m.deliveries.size();
      for (const auto& d : m.deliveries)
        st.bytes_sent += d.data.size();
      std::string bytes;
      if (!p->spare.empty()) {
        bytes = std::move(p->spare.back());
        p->spare.pop_back();
      }
      encode_framed(m, bytes);
      p->queued_bytes += bytes.size();
      p->out_deliveries.push_back(std::move(bytes));
    }
    p->wake.cancel();
  }

  // ---- receiving ------------------------------------------------------------

  void handle_presences(const PeerId& from, const std::vector<BlockPresence>& presences) {
    for (const auto& pr : presences) {
      const auto it = pending.find(pr.address.key());
      if (it == pending.end() || it->second->done) continue;
      Pending& want = *it->second;
      const bool known = std::find(want.haves.begin(), want.haves.end(), from) != want.haves.end();
      if (pr.type == PresenceType::kHave) {
        if (!known) want.haves.push_back(from);
      } else {
        std::erase(want.haves, from);
      }
      signal(want);
    }
  }

  // Returns false when the peer was penalised (the caller stops reading).
  asio::awaitable<bool> handle_deliveries(PeerId from, std::vector<BlockDelivery> deliveries) {
    std::vector<BlockDelivery> accepted;
    for (auto& d : deliveries) {
      const auto it = pending.find(d.address.key());
      if (it == pending.end() || it->second->done || !it->second->asked_block.contains(from)) {
        ++st.dropped_unrequested;
        continue;
      }
      accepted.push_back(std::move(d));
    }
    if (accepted.empty()) co_return true;
    struct Outcome {
      std::string bad;  // why a delivery failed verification
      std::exception_ptr store_error;
    };
    auto self = shared_from_this();
    // Verification hashes every block (SHA-256 of 64 KiB each): on the store
    // thread too, off the network thread.
    auto verify_and_store = [self, &accepted] {
      Outcome o;
      for (const auto& d : accepted) {
        o.bad = verify_delivery(d);
        if (!o.bad.empty()) return o;
      }
      try {
        const auto expiry = self->cfg.expiry ? self->cfg.expiry() : std::nullopt;
        auto batch = self->repo.batch();
        for (const auto& d : accepted) {
          batch.put_block(d.cid, as_bytes(d.data), expiry);
          if (d.address.leaf) batch.put_leaf(d.address.tree_cid, d.address.index, d.cid, *d.proof);
        }
        batch.commit();
      } catch (...) {
        o.store_error = std::current_exception();
      }
      return o;
    };
    Outcome out = co_await on_store(std::move(verify_and_store));
    if (!running) co_return false;
    if (!out.bad.empty()) {
      ++st.peers_penalized;
      host.penalize(from, "blockexc: " + out.bad);
      co_return false;
    }
    const auto sender = peers.find(from);
    for (auto& d : accepted) {
      const auto it = pending.find(d.address.key());
      if (it == pending.end() || it->second->done) continue;
      auto want = it->second;
      if (out.store_error) {
        finish(*want, std::nullopt, out.store_error);
        continue;
      }
      ++st.blocks_received;
      st.bytes_received += d.data.size();
      if (sender != peers.end()) ++sender->second->delivered;
      // Cancels to the other peers asked for it.
      for (const auto& other : want->asked_block) {
        if (other == from) continue;
        if (const auto pit = peers.find(other); pit != peers.end() && !pit->second->closed) {
          WantEntry c;
          c.address = want->address;
          c.cancel = true;
          pit->second->out_entries.push_back(std::move(c));
          pit->second->wake.cancel();
        }
      }
      for (const auto& hook : hooks)
        hook(want->address, d.cid);
      finish(*want, std::move(d.data), nullptr);
    }
    co_return true;
  }

  // Deliveries of one inbound stream being verified and stored. The stream
  // is read on meanwhile, so its next message goes straight into the
  // reader's buffer instead of piling up in the muxer's queue; at most
  // kDeliveriesInFlight messages wait for the store at once.
  static constexpr size_t kDeliveriesInFlight = 2;
  struct InFlight {
    explicit InFlight(const asio::any_io_executor& e) : done(e) {}
    size_t count = 0;
    bool penalized = false;    // a delivery failed verification: the stream is reset
    std::exception_ptr error;  // a delivery task failed otherwise: the stream is reset
    asio::steady_timer done;   // the reader waits on it for a free slot
  };

  static asio::awaitable<void> deliver(std::shared_ptr<Impl> self, PeerId from,
                                       std::vector<BlockDelivery> deliveries,
                                       std::shared_ptr<InFlight> f, Stream* s) {
    bool ok = false;
    std::exception_ptr error;
    try {
      ok = co_await self->handle_deliveries(std::move(from), std::move(deliveries));
    } catch (...) {
      error = std::current_exception();
    }
    if (!ok) {
      if (error && !f->error) f->error = error;
      if (!error) f->penalized = true;
      s->reset();  // the reader waits for this task before its stream goes
    }
    --f->count;
    f->done.cancel();
  }

  static asio::awaitable<void> read_messages(std::shared_ptr<Impl> self, Stream& s,
                                             const PeerId& from, std::shared_ptr<InFlight> f) {
    // One buffer per stream, reused: no fresh megabyte (and page faults)
    // per message.
    MessageReader reader(s);
    for (;;) {
      const auto body = co_await reader.next();
      if (!body || !self->running || f->penalized || f->error) co_return;
      // A malformed message throws ProtocolError: the host penalises the peer.
      Message m = decode(*body);
      auto p = self->peer_of(from);
      if (!p) co_return;
      self->handle_presences(from, m.presences);
      if (!m.want_list.entries.empty())
        co_await self->handle_wants(p, std::move(m.want_list.entries));
      if (!m.deliveries.empty()) {
        while (f->count >= kDeliveriesInFlight && !f->penalized && !f->error)
          co_await sleep_on(f->done, kForever);
        if (f->penalized || f->error || !self->running) co_return;
        ++f->count;
        asio::co_spawn(self->ex, deliver(self, from, std::move(m.deliveries), f, &s),
                       asio::detached);
      }
      if (!self->running) co_return;
    }
  }

  static asio::awaitable<void> read_loop(std::shared_ptr<Impl> self, std::unique_ptr<Stream> s,
                                         PeerId from) {
    if (!self->running) co_return;
    self->inbound.insert(s.get());
    struct Unregister {
      Impl& impl;
      Stream* s;
      ~Unregister() { impl.inbound.erase(s); }
    } unregister{*self, s.get()};
    auto f = std::make_shared<InFlight>(self->ex);
    std::exception_ptr failure;
    try {
      co_await read_messages(self, *s, from, f);
    } catch (...) {
      failure = std::current_exception();
    }
    // The delivery tasks use the stream: they finish first.
    while (f->count > 0)
      co_await sleep_on(f->done, kForever);
    if (f->error) std::rethrow_exception(f->error);
    // A peer penalised for a bad delivery: its stream was reset on purpose.
    if (failure && !f->penalized) std::rethrow_exception(failure);
  }

  // ---- requesting -----------------------------------------------------------

  void signal(Pending& want) {
    want.signalled = true;
    want.wake.cancel();
  }

  // Waits for a signal (presence, delivery, peer gone) or `d`.
  asio::awaitable<void> wait_signal(Pending& want, Clock::duration d) {
    if (!want.signalled) co_await sleep_on(want.wake, d);
    want.signalled = false;
  }

  void finish(Pending& want, std::optional<std::string> data, std::exception_ptr error) {
    if (want.done) return;
    want.done = true;
    want.data = std::move(data);
    want.error = error;
    want.haves.clear();
    want.done_timer.cancel();
    signal(want);
    pending.erase(want.key);
  }

  // Weighted random choice among the connected peers that have it: the
  // score penalises outstanding requests (×2) and a low success rate (×5).
  std::shared_ptr<Peer> choose(Pending& want) {
    std::vector<std::shared_ptr<Peer>> candidates;
    std::vector<double> weights;
    for (const auto& id : want.haves) {
      const auto it = peers.find(id);
      if (it == peers.end() || it->second->closed) continue;
      const Peer& p = *it->second;
      const double total = double(p.delivered + p.failed);
      const double success = total == 0 ? 1.0 : double(p.delivered) / total;
      const double score = 2.0 * double(p.outstanding) + 5.0 * (1.0 - success);
      candidates.push_back(it->second);
      weights.push_back(1.0 / (1.0 + score));
    }
    if (candidates.empty()) return nullptr;
    std::discrete_distribution<size_t> pick(weights.begin(), weights.end());
    return candidates[pick(rng)];
  }

  Clock::duration jitter(Clock::duration ceiling) {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(ceiling).count();
    std::uniform_int_distribution<int64_t> d(ms / 2, std::max<int64_t>(ms, 1));
    return std::chrono::milliseconds(d(rng));
  }

  static asio::awaitable<void> download(std::shared_ptr<Impl> self, std::shared_ptr<Pending> want) {
    int attempts = 0;
    while (self->running && !want->done) {
      auto peer = self->choose(*want);
      if (!peer) {
        if (++attempts > want->max_attempts) break;
        for (auto& [id, p] : self->peers)
          self->ask_have(*want, *p);
        // Back off a random while; a Have (or the block) ends the wait early,
        // a DontHave does not (no busy loop against peers lacking it).
        const auto until = Clock::now() + self->jitter(self->cfg.retry_interval);
        while (self->running && !want->done && want->haves.empty() && Clock::now() < until)
          co_await self->wait_signal(*want, until - Clock::now());
        // Nobody has it yet: ask everyone again next time (knowledge refresh).
        if (want->haves.empty() && !want->done) want->asked_have.clear();
        continue;
      }
      want->requested = peer->id;
      want->asked_block.insert(peer->id);
      ++peer->outstanding;
      WantEntry e;
      e.address = want->address;
      e.type = WantType::kWantBlock;
      e.send_dont_have = true;
      peer->out_entries.push_back(std::move(e));
      peer->wake.cancel();
      const auto deadline = Clock::now() + self->cfg.block_timeout;
      while (self->running && !want->done && !peer->closed && Clock::now() < deadline &&
             std::find(want->haves.begin(), want->haves.end(), peer->id) != want->haves.end())
        co_await self->wait_signal(*want, deadline - Clock::now());
      --peer->outstanding;
      want->requested.reset();
      if (want->done) break;
      // Timed out, gone, or it said DontHave: evict it for this block.
      ++peer->failed;
      std::erase(want->haves, peer->id);
      if (++attempts > want->max_attempts) break;
    }
    if (want->done) co_return;
    std::exception_ptr error;
    if (self->running)
      error = std::make_exception_ptr(
          RetriesExhaustedError("block exchange: no peer delivered " + want->address.to_string() +
                                " in " + std::to_string(want->max_attempts) + " attempts"));
    else
      error = std::make_exception_ptr(
          NetError("block exchange stopped before " + want->address.to_string() + " arrived"));
    self->finish(*want, std::nullopt, error);
  }

  asio::awaitable<std::string> want(BlockAddress address, int max_attempts = 0) {
    max_attempts = max_attempts > 0 ? std::min(max_attempts, cfg.max_retries) : cfg.max_retries;
    if (!running) throw NetError("block exchange is not running");
    if (address.leaf ? !address.tree_cid.valid() : !address.cid.valid())
      throw FormatError("want_block: an address without its CID");
    auto self = shared_from_this();
    auto read = [self, address] { return self->read_local(address); };
    auto local = co_await on_store(std::move(read));
    if (local) co_return std::move(*local);
    if (!running) throw NetError("block exchange stopped");
    std::shared_ptr<Pending> w;
    if (const auto it = pending.find(address.key()); it != pending.end()) {
      w = it->second;
    } else {
      if (pending.size() >= cfg.max_pending)
        throw NetError("block exchange: " + std::to_string(cfg.max_pending) +
                       " wants pending already");
      w = std::make_shared<Pending>(address, ex);
      w->max_attempts = max_attempts;
      pending.emplace(w->key, w);
      asio::co_spawn(ex, download(self, w), asio::detached);
    }
    w->max_attempts = std::min(w->max_attempts, max_attempts);
    ++w->waiters;
    while (!w->done) {
      std::error_code ec;
      co_await w->done_timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
    if (w->error) std::rethrow_exception(w->error);
    // The last waiter takes the bytes; earlier ones copy them.
    if (--w->waiters == 0) co_return std::move(*w->data);
    co_return *w->data;
  }

  void stop() {
    if (stopped) return;
    stopped = true;
    running = false;
    auto wants = pending;
    for (auto& [key, w] : wants)
      finish(*w, std::nullopt,
             std::make_exception_ptr(
                 NetError("block exchange stopped before " + w->address.to_string() + " arrived")));
    for (auto& [id, p] : peers)
      close_peer(*p);
    peers.clear();
    ready.clear();
    for (Stream* s : inbound)
      s->reset();
  }
};

Engine::Engine(Host& host, store::Repo& repo, EngineConfig config)
    : impl_(std::make_shared<Impl>(host, repo, std::move(config))) {}

Engine::~Engine() {
  impl_->store.join();
}

void Engine::start() {
  Impl& m = *impl_;
  if (m.running || m.stopped) return;
  m.running = true;
  std::weak_ptr<Impl> weak = impl_;
  m.host.handle(std::string(kProtocol),
                [weak](std::unique_ptr<Stream> s, PeerId peer) -> asio::awaitable<void> {
                  auto self = weak.lock();
                  if (!self) co_return;
                  co_await Impl::read_loop(std::move(self), std::move(s), std::move(peer));
                });
  m.host.on_peer([weak](const PeerId& peer, bool connected) {
    const auto self = weak.lock();
    if (!self || !self->running) return;
    if (connected)
      self->peer_of(peer);
    else
      self->peer_gone(peer);
  });
  for (const auto& c : m.host.connections())
    m.peer_of(c.peer);
}

void Engine::stop() {
  impl_->stop();
}

asio::awaitable<std::string> Engine::want_block(BlockAddress address, int max_attempts) {
  auto self = impl_;
  co_return co_await self->want(std::move(address), max_attempts);
}

asio::awaitable<std::vector<std::string>> Engine::want_blocks(std::vector<BlockAddress> addresses,
                                                              size_t window) {
  auto self = impl_;
  struct Shared {
    explicit Shared(const asio::any_io_executor& e) : done(e) {}
    std::vector<BlockAddress> addresses;
    std::vector<std::string> results;
    size_t next = 0, active = 0;
    std::exception_ptr first_error;
    asio::steady_timer done;
  };
  auto sh = std::make_shared<Shared>(self->ex);
  sh->results.resize(addresses.size());
  sh->addresses = std::move(addresses);
  auto worker = [](std::shared_ptr<Impl> impl, std::shared_ptr<Shared> s) -> asio::awaitable<void> {
    while (s->next < s->addresses.size()) {
      const size_t i = s->next++;
      try {
        s->results[i] = co_await impl->want(s->addresses[i]);
      } catch (...) {
        if (!s->first_error) s->first_error = std::current_exception();
      }
    }
    if (--s->active == 0) s->done.cancel();
  };
  const size_t n = std::min(std::max<size_t>(window, 1), sh->addresses.size());
  sh->active = n;
  for (size_t i = 0; i < n; ++i)
    asio::co_spawn(self->ex, worker(self, sh), asio::detached);
  while (sh->active > 0)
    co_await sleep_on(sh->done, kForever);
  if (sh->first_error) std::rethrow_exception(sh->first_error);
  co_return std::move(sh->results);
}

void Engine::on_block(BlockHook hook) {
  impl_->hooks.push_back(std::move(hook));
}

EngineStats Engine::stats() const {
  EngineStats s = impl_->st;
  s.pending = impl_->pending.size();
  return s;
}

}  // namespace codex::net::blockexc
