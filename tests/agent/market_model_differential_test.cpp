// The marketplace model against the real contracts through the production
// chain implementation: seeded random sequences of at least 1,000 steps —
// requests (valid and invalid asks), approvals, reservations, fills (valid and
// all-zero proofs), proofs, missed proofs, frees (both forms), withdrawals
// (both forms), forced frees, time jumps with and without blocks, and actions
// by the wrong account, in the wrong state, without reservation, allowance or
// balance, outside the validator window — run through MarketApi on both
// sides: ChainMarket (one per account, transactions through its journaled
// TxSender, views through MarketApi::read's JSON-RPC batches pinned to one
// block) on a fresh anvil (TestToken + TestVerifier + TestMarketplace deployed
// by agent/market/deployment), and the model with the same block timestamps
// and block hashes. After every step both sides must agree: reverted or not
// and the error (function, name and arguments), the events, the block, and
// every view of the requests and slots in play, every account's balance,
// allowance, myRequests and mySlots (at latest); all requests ever made every
// 50 steps and at the end (with those in play at pending too), and the whole
// event history at the end. A mismatch fails with the seed, the step, the
// action and both sides' values. Every 120 steps a scripted scenario (failed,
// finished, cancelled request) makes sure the rare payout paths come up; the
// chain is reproducible (MarketEnvOptions::genesis_time in
// tests/agent/support/market_env.h), so a seed replays the same run:
// DIFF_DEBUG=1 prints every step.
#include <gtest/gtest.h>

#include <chrono>
#include <deque>
#include <functional>
#include <random>
#include <set>

#include "tests/agent/support/market_differential.h"

namespace codex::market {
namespace {

using test::describe;

using test::MarketDifferential;
using test::Mismatch;

constexpr int kAccounts = MarketDifferential::kAccounts;  // two clients, three hosts, a validator
constexpr int kFirstClient = 1, kFirstHost = 3, kValidator = 6;
constexpr int kFullEvery = 50;
constexpr int kScenarioEvery = 120;  // steps between two scripted scenarios

const Groth16Proof kProof{{Uint256(1), Uint256(2)},
                          {{Uint256(3), Uint256(4)}, {Uint256(5), Uint256(6)}},
                          {Uint256(7), Uint256(8)}};

// The random steps (and a few scripted scenarios) the rig runs and compares.
class RandomSteps : public MarketDifferential {
 public:
  RandomSteps(uint64_t seed, const MarketplaceConfig& config)
      : MarketDifferential(seed, config), rng_(seed), periods_(config.proofs.period) {
    on_event = [this](const MarketEvent& e) {
      if (auto* filled = std::get_if<SlotFilled>(&e))
        ever_filled_.push_back(slot_id(filled->request_id, filled->slot_index));
      if (auto* freed = std::get_if<SlotFreed>(&e))
        std::erase_if(reservations_, [&](const auto& r) {
          return r.first == slot_id(freed->request_id, freed->slot_index);
        });
    };
  }

  // Runs `steps` random steps; throws Mismatch at the first disagreement.
  void run(int steps) {
    for (step_ = 0; step_ < steps; ++step_) {
      const auto t0 = std::chrono::steady_clock::now();
      begin_step(step_);
      one_step();
      if (getenv("DIFF_DEBUG")) std::printf("step %d: %s\n", step_, action().c_str());
      const auto t1 = std::chrono::steady_clock::now();
      compare_state(step_ % kFullEvery == kFullEvery - 1);
      seconds_acting += std::chrono::duration<double>(t1 - t0).count();
      seconds_comparing +=
          std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count();
    }
    compare_state(true);
    compare_event_history();
  }

  double seconds_acting = 0, seconds_comparing = 0;

 private:
  // ---- randomness -----------------------------------------------------------------
  uint64_t rnd(uint64_t lo, uint64_t hi) {  // inclusive
    return std::uniform_int_distribution<uint64_t>(lo, hi)(rng_);
  }
  bool chance(double p) { return std::bernoulli_distribution(p)(rng_); }
  template <class T>
  const T& pick(const std::vector<T>& v) {
    return v.at(rnd(0, v.size() - 1));
  }
  Hash random_hash() {
    Hash h;
    for (auto& b : h)
      b = uint8_t(rnd(0, 255));
    return h;
  }
  int any_account() { return int(rnd(1, kAccounts)); }
  int client() { return chance(0.9) ? int(rnd(kFirstClient, kFirstHost - 1)) : any_account(); }
  int host() { return chance(0.9) ? int(rnd(kFirstHost, kValidator - 1)) : any_account(); }

  // ---- the actions ------------------------------------------------------------------------
  void one_step() {
    if (step_ % kScenarioEvery == kScenarioEvery / 2) script_scenario(scenarios_++ % 3);
    if (!script_.empty()) {
      auto next = std::move(script_.front());
      script_.pop_front();
      set_next_time(now() + 1);
      next();
      return;
    }
    const uint64_t roll = rnd(0, 99);
    if (roll < 10) return time_jump();
    // Most transactions come a second after the last block, some in the same second.
    set_next_time(now() + (chance(0.35) ? 0 : chance(0.7) ? 1 : rnd(2, 4)));
    if (roll < 17) return request_storage();
    if (roll < 26) return approve();
    if (roll < 41) return reserve();
    if (roll < 56) return fill();
    if (roll < 71) return prove();
    if (roll < 82) return mark_missing();
    if (roll < 90) return free_slot();
    if (roll < 96) return withdraw();
    return forcibly_free();
  }

  void time_jump() {
    uint64_t t = now();
    const uint64_t kind = rnd(0, 9);
    if (kind < 5) {
      t += rnd(1, 9);
    } else if (kind < 8) {
      t += rnd(1, 3) * config().proofs.period + rnd(0, config().proofs.period - 1);
    } else if (kind < 9 && !active().empty()) {
      // to (or just past) an expiry or an end: the strict comparisons of §8.1
      const RequestId id = pick(active());
      const uint64_t edge =
          chance(0.5)
              ? model_api(1).request_expiry(id)
              : model().view(Address{}, At::kLatest, "requestEnd", [&](auto& c, auto&, auto& call) {
                  return c.request_known(id) ? c.request_end(call, id) : uint64_t{0};
                });
      t = std::max(t, edge + rnd(0, 1));
    } else {
      t += rnd(30, 200);
    }
    jump_to(t, chance(0.25) ? 0 : chance(0.8) ? 1 : rnd(2, 120));
  }

  // ---- scripted scenarios ------------------------------------------------------------------
  // Paths random steps reach only by luck, played as ordinary (compared) steps:
  // 0 a started request failed by an abandoned slot, the other host freeing
  //   its Failed slot and the client withdrawing everything;
  // 1 a request that finishes: the host's payout and the client's rest;
  // 2 a request cancelled with one slot filled: the host paid to expiry, the
  //   client refunded (RequestCancelled).
  void script_scenario(int kind) {
    const int client = kFirstClient, hosts[2] = {kFirstHost, kFirstHost + 1};
    auto r = std::make_shared<Request>(random_request(client));
    while (r->client != address(client) || r->ask.slots == 0 || r->content.cid.empty())
      *r = random_request(client);
    const uint64_t duration =
        std::min(30 * config().proofs.period, config().request_duration_limit);
    r->ask = {Uint256(1), Uint256(1), Uint256(1), kind == 1 ? 1u : 2u, 64, duration, 0};
    r->expiry = std::min(10 * config().proofs.period, duration - 1);
    const RequestId id = request_id(*r);
    const Address market = model().marketplace_address();
    const Uint256 lots(1'000'000'000'000);
    ++counts["scripted scenario " + std::to_string(kind)];
    auto then = [this](std::function<void()> f) { script_.push_back(std::move(f)); };
    then([=, this] { transact(client, ApproveTokens{market, lots}); });
    then([=, this] {
      if (transact(client, RequestStorage{*r})) {
        made(*r);
      }
    });
    const uint64_t filled = kind == 2 ? 1 : r->ask.slots;
    for (uint64_t k = 0; k < filled; ++k) {
      const int h = hosts[k];
      then([=, this] { transact(h, ApproveTokens{market, lots}); });
      then([=, this] {
        if (transact(h, ReserveSlot{id, k})) reservations_.insert({slot_id(id, k), h});
      });
      then([=, this] { transact(h, FillSlot{id, k, kProof}); });
    }
    if (kind == 0) {
      then([=, this] { transact(hosts[0], FreeSlot{slot_id(id, 0), std::nullopt}); });
      then([=, this] { transact(hosts[1], FreeSlot{slot_id(id, 1), std::nullopt}); });
    } else {
      then([=, this] {
        // requestExpiry is 0 for a request that was refused: then no jump is needed
        const uint64_t expires_at = model_api(client).request_expiry(id, At::kLatest);
        const uint64_t edge = kind == 1 ? expires_at - r->expiry + r->ask.duration : expires_at;
        jump_to(std::max(now(), edge + 1), 1);
      });
      then([=, this] { transact(hosts[0], FreeSlot{slot_id(id, 0), std::nullopt}); });
    }
    then([=, this] { transact(client, WithdrawFunds{id, std::nullopt}); });
  }

  Request random_request(int sender) {
    Request r;
    r.client = address(sender);
    static const uint64_t kProbabilities[] = {1, 1, 2, 3, 4, 8};
    r.ask.proof_probability = Uint256(kProbabilities[rnd(0, 5)]);
    r.ask.price_per_byte_per_second = Uint256(rnd(1, 3));
    r.ask.collateral_per_byte = Uint256(rnd(1, 5));
    static const uint64_t kSlots[] = {1, 1, 1, 2, 2, 2, 3, 3, 4, 4};
    r.ask.slots = kSlots[rnd(0, 9)];
    static const uint64_t kSizes[] = {1, 7, 256, 1024};
    r.ask.slot_size = kSizes[rnd(0, 3)];
    r.ask.duration = rnd(4, 40) * config().proofs.period + rnd(0, 9);
    const uint64_t longest = std::min<uint64_t>(r.ask.duration - 1, 20 * config().proofs.period);
    r.expiry = chance(0.7) ? rnd(longest / 2, longest) : rnd(5, longest);
    r.ask.max_slot_loss = rnd(0, r.ask.slots);
    r.content.cid.resize(rnd(1, 40));
    for (auto& b : r.content.cid)
      b = uint8_t(rnd(0, 255));
    r.content.merkle_root = random_hash();
    r.nonce = random_hash();
    if (chance(0.2)) break_request(r, sender);
    return r;
  }

  void break_request(Request& r, int sender) {
    switch (rnd(0, 13)) {
      case 0:
        r.client = address(sender % kAccounts + 1);
        break;
      case 1:
        r.expiry = 0;
        break;
      case 2:
        r.expiry = r.ask.duration + rnd(0, 5);
        break;
      case 3:
        r.ask.slots = 0;
        break;
      case 4:
        r.ask.max_slot_loss = r.ask.slots + 1;
        break;
      case 5:
        r.ask.duration = 0;
        break;
      case 6:
        r.ask.proof_probability = Uint256(0);
        break;
      case 7:
        r.ask.collateral_per_byte = Uint256(0);
        break;
      case 8:
        r.ask.price_per_byte_per_second = Uint256(0);
        break;
      case 9:
        r.content.cid.clear();
        break;
      case 10:
        r.ask.duration = config().request_duration_limit + 1;
        break;
      case 11:
        r.ask.price_per_byte_per_second = Uint256(1'000'000'000'000);
        break;  // balance
      case 12:
        r.ask.price_per_byte_per_second = Uint256::from_string("0x" + std::string(62, 'f'));
        break;  // maxPrice overflows: Panic(0x11)
      default:
        if (!requests().empty()) r = pick(requests());  // RequestAlreadyExists
    }
  }

  void request_storage() {
    if (new_requests() >= 3 && chance(0.8)) return chance(0.5) ? reserve() : fill();  // hosts first
    const int who = client();
    const Request r = random_request(who);
    if (transact(who, RequestStorage{r})) {
      made(r);
    }
  }

  void approve() {
    const int who = chance(0.5)   ? int(rnd(kFirstHost, kValidator - 1))
                    : chance(0.7) ? client()
                                  : any_account();
    Address spender = model().marketplace_address();
    Uint256 amount;
    const uint64_t kind = rnd(0, 19);
    if (kind < 11)
      amount = Uint256(1'000'000'000'000);  // enough for a long while
    else if (kind < 15)
      amount = Uint256(rnd(0, 5000));  // too little for most
    else if (kind < 17)
      amount = Uint256::from_string("0x" + std::string(64, 'f'));  // never spent
    else if (kind < 18)
      amount = Uint256(0);
    else
      spender = chance(0.5) ? Address{} : address(any_account());
    transact(who, ApproveTokens{spender, amount});
  }

  // A request in play (or, sometimes, one that does not exist).
  RequestId some_request() {
    if (active().empty() || chance(0.04)) return RequestId{0xde, 0xad};  // never made
    return pick(active());
  }
  SlotId some_slot() {
    const RequestId id = some_request();
    return slot_id(id, rnd(0, slots_of(id) - 1));
  }
  // A slot some host holds (model, latest), with its host; with `filled`, one
  // that is Filled now (pending). Else a slot that was once filled, or any.
  std::pair<SlotId, int> held_slot(bool filled = false) {
    std::vector<std::pair<SlotId, int>> held;
    for (int h = 1; h <= kAccounts; ++h)
      for (const SlotId& s : model_api(h).my_slots(At::kLatest))
        if (!filled || model_api(h).slot_state(s, At::kPending) == SlotState::Filled)
          held.push_back({s, h});
    if (!held.empty()) return pick(held);
    if (!ever_filled_.empty() && chance(0.7)) return {pick(ever_filled_), host()};
    return {some_slot(), host()};
  }

  // Slots that could be filled now (the model, pending): the request New or
  // Started, the slot Free or Repair; the newest requests first.
  // The requests closest to being filled come first.
  std::vector<std::pair<RequestId, uint64_t>> open_slots() {
    std::vector<std::vector<std::pair<RequestId, uint64_t>>> by_request;
    MarketApi& m = model_api(1);
    for (auto it = active().rbegin(); it != active().rend(); ++it) {
      const RequestState st = m.request_state(*it, At::kPending);
      if (st != RequestState::New && st != RequestState::Started) continue;
      by_request.emplace_back();
      for (uint64_t i = 0; i < slots_of(*it); ++i) {
        const SlotState ss = m.slot_state(slot_id(*it, i), At::kPending);
        if (ss == SlotState::Free || ss == SlotState::Repair) by_request.back().push_back({*it, i});
      }
    }
    std::stable_sort(by_request.begin(), by_request.end(),
                     [](const auto& a, const auto& b) { return a.size() < b.size(); });
    std::vector<std::pair<RequestId, uint64_t>> out;
    for (const auto& r : by_request)
      out.insert(out.end(), r.begin(), r.end());
    return out;
  }
  // Requests still New (the model, pending): waiting for hosts.
  size_t new_requests() {
    size_t n = 0;
    for (const RequestId& id : active())
      n += model_api(1).request_state(id, At::kPending) == RequestState::New;
    return n;
  }
  // Mostly the first (newest) candidates, so that requests get filled in time.
  template <class T>
  const T& pick_early(const std::vector<T>& v) {
    return v.at(chance(0.6) ? rnd(0, std::min<size_t>(v.size(), 3) - 1) : rnd(0, v.size() - 1));
  }

  void reserve() {
    RequestId id = some_request();
    uint64_t index = chance(0.08) ? slots_of(id) : rnd(0, slots_of(id) - 1);
    int who = host();
    const auto open = open_slots();
    if (!open.empty() && chance(0.8)) {
      std::tie(id, index) = pick_early(open);
      for (int h = kFirstHost; h < kValidator; ++h)
        if (model_api(h).can_reserve_slot(id, index, At::kPending) && chance(0.7)) who = h;
    }
    if (transact(who, ReserveSlot{id, index})) reservations_.insert({slot_id(id, index), who});
  }

  void fill() {
    std::vector<std::tuple<RequestId, uint64_t, int>> candidates;
    for (const auto& [id, i] : open_slots())
      for (int h = 1; h <= kAccounts; ++h)
        if (reservations_.count({slot_id(id, i), h})) candidates.push_back({id, i, h});
    RequestId id;
    uint64_t index;
    int who;
    if (!candidates.empty() && chance(0.85)) {
      std::tie(id, index, who) = pick_early(candidates);
    } else {
      id = some_request();
      index = chance(0.1) ? slots_of(id) : rnd(0, slots_of(id) - 1);
      who = host();
    }
    transact(who, FillSlot{id, index, chance(0.08) ? Groth16Proof{} : kProof});
  }

  // Held Filled slots for which `keep` holds (the model, pending).
  template <class F>
  std::vector<std::pair<SlotId, int>> filled_where(F&& keep) {
    std::vector<std::pair<SlotId, int>> out;
    for (int h = 1; h <= kAccounts; ++h)
      for (const SlotId& s : model_api(h).my_slots(At::kLatest))
        if (model_api(h).slot_state(s, At::kPending) == SlotState::Filled && keep(s))
          out.push_back({s, h});
    return out;
  }

  void prove() {
    // Mostly a proof the contract asks for now (hosts that keep their slots).
    auto due = filled_where([&](const SlotId& s) {
      return outcome_ok([&] {
        return model_api(1).is_proof_required(s, At::kPending) ||
               model_api(1).will_proof_be_required(s, At::kPending);
      });
    });
    auto [slot, who] = !due.empty() && chance(0.7) ? pick(due) : held_slot(chance(0.8));
    if (chance(0.1)) who = any_account();
    transact(who, SubmitProof{slot, chance(0.05) ? Groth16Proof{} : kProof, 0});
  }

  void mark_missing() {
    // Half of the attempts wait for the next validator window (§9).
    const uint64_t len = config().proofs.period, timeout = config().proofs.timeout;
    if (timeout >= 2 && timeout < len && chance(0.5)) {
      uint64_t t = now();
      if (t % len < 1 || t % len >= timeout) t = (t / len + 1) * len + 1;
      set_next_time(t + rnd(0, timeout - 1 - t % len));
    }
    const uint64_t current = periods_.period_of(now());
    auto markable = filled_where([&](const SlotId& s) {
      return !model_api(kValidator).can_mark_proof_as_missing(s, current - 1, At::kPending);
    });
    auto [slot, owner] = !markable.empty() && chance(0.5) ? pick(markable) : held_slot(chance(0.9));
    if (chance(0.05)) slot = some_slot();
    uint64_t period = current - 1;
    const uint64_t kind = rnd(0, 49);
    if (kind < 4)
      period = current;
    else if (kind < 9)
      period = current - 2;
    else if (kind < 12)
      period = current - rnd(3, 8);
    else if (kind < 13)
      period = ~uint64_t{0};  // periodEnd overflows: Panic(0x11)
    transact(chance(0.85) ? kValidator : any_account(), MarkProofAsMissing{slot, period});
  }

  void free_slot() {
    // Mostly slots due for payout; a Filled one is abandoned (a forced free).
    std::vector<std::pair<SlotId, int>> due, failed;
    for (int h = 1; h <= kAccounts; ++h)
      for (const SlotId& s : model_api(h).my_slots(At::kLatest)) {
        const SlotState st = model_api(h).slot_state(s, At::kPending);
        if (st != SlotState::Filled) due.push_back({s, h});
        if (st == SlotState::Failed) failed.push_back({s, h});  // rare: take it when it comes
      }
    auto [slot, who] = !failed.empty() && chance(0.5) ? pick(failed)
                       : !due.empty() && chance(0.75) ? pick(due)
                                                      : held_slot();
    if (chance(0.2)) who = any_account();
    FreeSlot a{slot, std::nullopt};
    if (chance(0.3)) {
      auto recipient = [&] { return chance(0.1) ? Address{} : address(any_account()); };
      a.recipients = std::pair{recipient(), recipient()};
    }
    transact(who, a);
  }

  void withdraw() {
    // Mostly a client's own listed request once it is over.
    std::vector<std::pair<RequestId, int>> over;
    for (int c = 1; c <= kAccounts; ++c)
      for (const RequestId& id : model_api(c).my_requests(At::kLatest)) {
        const RequestState st = model_api(c).request_state(id, At::kPending);
        if (st != RequestState::New && st != RequestState::Started) over.push_back({id, c});
      }
    RequestId id = some_request();
    int who = any_account();
    if (!over.empty() && chance(0.7)) {
      std::tie(id, who) = pick(over);
    } else {
      for (const Request& r : requests())
        if (request_id(r) == id && chance(0.85))
          for (int i = 1; i <= kAccounts; ++i)
            if (address(i) == r.client) who = i;
    }
    WithdrawFunds a{id, std::nullopt};
    if (chance(0.3)) a.recipient = chance(0.1) ? Address{} : address(any_account());
    transact(who, a);
  }

  void forcibly_free() {
    const SlotId slot = chance(0.6) ? held_slot().first : some_slot();
    MarketDifferential::forcibly_free(any_account(), slot);
  }

 private:
  std::mt19937_64 rng_;
  Periods periods_;
  int step_ = 0;
  std::set<std::pair<SlotId, int>> reservations_;
  std::vector<SlotId> ever_filled_;
  std::deque<std::function<void()>> script_;
  int scenarios_ = 0;
};

// Each case: a fresh anvil, 1,000 steps. Prints what the run exercised.
void run_case(uint64_t seed, const MarketplaceConfig& config, int steps = 1000) {
  const auto t0 = std::chrono::steady_clock::now();
  RandomSteps d(seed, config);
  try {
    d.run(steps);
  } catch (const Mismatch& e) {
    FAIL() << e.what();
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::string summary;
  for (const auto& [what, n] : d.counts)
    summary += "  " + what + ": " + std::to_string(n) + "\n";
  std::printf(
      "seed %llu: %d steps, %zu views compared, %.1f s (acting %.1f s, comparing %.1f s)\n%s",
      (unsigned long long)seed, steps, d.observed(), secs, d.seconds_acting, d.seconds_comparing,
      summary.c_str());
  // The run must have reached the interesting paths, not only reverts.
  for (const char* must : {"RequestFulfilled",
                           "RequestFailed",
                           "RequestCancelled",
                           "SlotFreed",
                           "ProofSubmitted",
                           "SlotFilled",
                           "StorageRequested",
                           "SlotReservationsFull",
                           "repair fill",
                           "freeSlot of a Finished slot",
                           "freeSlot of a Cancelled slot",
                           "freeSlot of a Failed slot",
                           "freeSlot of a Filled slot",
                           "withdrawFunds of a Cancelled request",
                           "withdrawFunds of a Failed request",
                           "withdrawFunds of a Finished request",
                           "Proofs_ValidationTimedOut",
                           "Proofs_ProofNotRequired",
                           "ERC20InsufficientAllowance",
                           "Panic(0x11)"})
    EXPECT_GT(d.counts[must], 0) << must;
  EXPECT_GT(d.counts["passed"], steps / 4);
}

MarketplaceConfig devnet() {
  MarketplaceConfig c;
  c.collateral = {10, 2, 20, 20};
  c.proofs = {10, 5, 64, 67, ""};
  c.max_reservations = 3;
  c.request_duration_limit = 2592000;
  return c;
}

TEST(MarketModelDifferential, DevnetConfigurationSeed1) {
  run_case(1, devnet());
}

TEST(MarketModelDifferential, ThreeSlashesTwoReservationsShortLimitSeed2) {
  MarketplaceConfig c = devnet();
  c.collateral = {25, 3, 10, 50};
  c.proofs = {15, 8, 96, 97, "zkey"};
  c.max_reservations = 2;
  c.request_duration_limit = 400;
  run_case(2, c);
}

TEST(MarketModelDifferential, OneSlashFreesWideDowntimeSeed3) {
  MarketplaceConfig c = devnet();
  c.collateral = {0, 1, 100, 0};
  c.proofs = {12, 11, 128, 3, ""};
  c.max_reservations = 1;
  run_case(3, c);
}

}  // namespace
}  // namespace codex::market
