#include "exchange/net/kad/lookup.h"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <deque>
#include <map>
#include <memory>
#include <optional>

namespace codex::net::kad {
namespace {

struct Candidate {
  PeerInfo info;
  int hop;
  enum class State { kNew, kAsked, kAnswered, kFailed } state = State::kNew;
};

// Shared with the request coroutines, which may outlive the lookup.
struct Shared {
  explicit Shared(asio::any_io_executor ex) : wake(ex) {}
  asio::steady_timer wake;
  std::deque<std::pair<Point, std::optional<Message>>> replies;
};

}  // namespace

asio::awaitable<std::vector<PeerInfo>> iterative_lookup(const Point& target,
                                                        std::vector<PeerInfo> seeds,
                                                        const PeerId& self, LookupConfig config,
                                                        Query query, OnReply on_reply,
                                                        LookupStats& stats) {
  using State = Candidate::State;
  const auto ex = co_await asio::this_coro::executor;
  auto shared = std::make_shared<Shared>(ex);
  const auto deadline = std::chrono::steady_clock::now() + config.timeout;
  // By distance to the target: distinct peers have distinct points.
  std::map<Point, Candidate> candidates;
  const auto consider = [&](const PeerInfo& p, int hop) {
    if (p.id == self) return;
    candidates.try_emplace(distance(point_of(p.id), target), Candidate{p, hop});
  };
  for (const auto& s : seeds)
    consider(s, 1);

  size_t in_flight = 0;
  bool done = false;
  while (!done) {
    while (!shared->replies.empty()) {
      auto [key, reply] = std::move(shared->replies.front());
      shared->replies.pop_front();
      --in_flight;
      auto& c = candidates.at(key);
      if (!reply) {
        c.state = State::kFailed;
        ++stats.failures;
        continue;
      }
      c.state = State::kAnswered;
      stats.hops = std::max(stats.hops, c.hop);
      for (const auto& p : reply->closer)
        consider(p, c.hop + 1);
      if (on_reply && on_reply(c.info, *reply, c.hop)) {
        stats.result_hop = c.hop;
        done = true;
      }
    }
    if (done || std::chrono::steady_clock::now() >= deadline) break;

    // Among the k closest peers that have not failed: ask the new ones.
    size_t seen = 0;
    for (auto& [key, c] : candidates) {
      if (c.state == State::kFailed) continue;
      if (seen++ == config.k) break;
      if (c.state != State::kNew) continue;
      if (c.hop > config.max_hops) {
        c.state = State::kFailed;  // out of reach: not asked, not waited for
        continue;
      }
      if (in_flight >= config.alpha || stats.requests >= config.max_requests) continue;
      c.state = State::kAsked;
      ++in_flight;
      ++stats.requests;
      asio::co_spawn(
          ex,
          [shared, query, key = key, peer = c.info]() -> asio::awaitable<void> {
            std::optional<Message> reply;
            try {
              reply = co_await query(peer);
            } catch (const std::exception&) {
            }
            shared->replies.emplace_back(key, std::move(reply));
            shared->wake.cancel();
          },
          asio::detached);
    }
    if (in_flight == 0) break;  // nothing asked and nothing to wait for
    shared->wake.expires_at(deadline);
    asio::error_code ignored;
    co_await shared->wake.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  }

  std::vector<PeerInfo> out;
  for (const auto& [key, c] : candidates) {
    if (out.size() == config.k) break;
    if (c.state == State::kAnswered) out.push_back(c.info);
  }
  co_return out;
}

}  // namespace codex::net::kad
