// MarketApi for one account of a MarketModel: every view is the contract's view
// in the requested block context, every transaction goes through the model's
// journal.
#include "agent/market/model/market_model.h"

namespace codex::market::model {
namespace {

class ModelConnection final : public MarketApi {
  template <class F>
  auto view(At at, const char* function, F&& fn) {
    return m_.view(account_, at, function, std::forward<F>(fn));
  }

 public:
  ModelConnection(MarketModel& m, Address account) : m_(m), account_(account) {}

  Address account() const override { return account_; }
  Address marketplace_address() const override { return m_.marketplace_address(); }
  Address token_address() const override { return m_.token_address(); }
  const MarketplaceConfig& configuration() const override { return m_.configuration(); }
  base::Clock& clock() override { return m_.clock(); }
  uint64_t block_number(At at) override { return m_.block_number(at); }

  std::optional<Request> get_request(const RequestId& id, At at) override {
    return view(
        at, "getRequest", [&](const MarketplaceContract& c, const ModelToken&, const Call&) {
          return c.request_known(id) ? std::optional<Request>(c.get_request(id)) : std::nullopt;
        });
  }
  RequestState request_state(const RequestId& id, At at) override {
    return view(at, "requestState",
                [&](auto& c, auto&, auto& call) { return c.request_state(call, id); });
  }
  uint64_t request_end(const RequestId& id, At at) override {
    return view(at, "requestEnd",
                [&](auto& c, auto&, auto& call) { return c.request_end(call, id); });
  }
  uint64_t request_expiry(const RequestId& id, At at) override {
    return view(at, "requestExpiry", [&](auto& c, auto&, auto&) { return c.request_expiry(id); });
  }
  SlotState slot_state(const SlotId& id, At at) override {
    return view(at, "slotState",
                [&](auto& c, auto&, auto& call) { return c.slot_state(call, id); });
  }
  Address get_host(const SlotId& id, At at) override {
    return view(at, "getHost", [&](auto& c, auto&, auto&) { return c.get_host(id); });
  }
  Uint256 current_collateral(const SlotId& id, At at) override {
    return view(at, "currentCollateral",
                [&](auto& c, auto&, auto&) { return c.current_collateral(id); });
  }
  std::optional<std::pair<Request, uint64_t>> get_active_slot(const SlotId& id, At at) override {
    return view(at, "getActiveSlot",
                [&](const MarketplaceContract& c, const ModelToken&,
                    const Call&) -> std::optional<std::pair<Request, uint64_t>> {
                  try {
                    auto [request, index] = c.get_active_slot(id);
                    return std::pair{*request, index};
                  } catch (const Revert& r) {
                    if (r.name() != "Marketplace_SlotIsFree") throw;
                    return std::nullopt;
                  }
                });
  }
  bool can_reserve_slot(const RequestId& id, uint64_t slot_index, At at) override {
    return view(at, "canReserveSlot", [&](auto& c, auto&, auto& call) {
      return c.can_reserve_slot(call, id, slot_index);
    });
  }
  std::vector<RequestId> my_requests(At at) override {
    return view(at, "myRequests", [&](auto& c, auto&, auto&) { return c.my_requests(account_); });
  }
  std::vector<SlotId> my_slots(At at) override {
    return view(at, "mySlots", [&](auto& c, auto&, auto&) { return c.my_slots(account_); });
  }
  bool is_proof_required(const SlotId& id, At at) override {
    return view(at, "isProofRequired",
                [&](auto& c, auto&, auto& call) { return c.is_proof_required(call, id); });
  }
  bool will_proof_be_required(const SlotId& id, At at) override {
    return view(at, "willProofBeRequired",
                [&](auto& c, auto&, auto& call) { return c.will_proof_be_required(call, id); });
  }
  std::optional<uint64_t> next_proof_check(const SlotId& id, uint64_t from,
                                           uint64_t offset) override {
    return m_.next_proof_check(id, from, offset);
  }
  std::optional<std::vector<size_t>> can_mark_candidates(std::span<const SlotId> slots,
                                                         uint64_t period, At at) override {
    return m_.can_mark_candidates(account_, slots, period, at);
  }
  Hash get_challenge(const SlotId& id, At at) override {
    return view(at, "getChallenge",
                [&](auto& c, auto&, auto& call) { return c.get_challenge(call, id); });
  }
  uint8_t get_pointer(const SlotId& id, At at) override {
    return view(at, "getPointer",
                [&](auto& c, auto&, auto& call) { return c.get_pointer(call, id); });
  }
  uint64_t missing_proofs(const SlotId& id, At at) override {
    return view(at, "missingProofs", [&](auto& c, auto&, auto&) { return c.missing_proofs(id); });
  }
  Uint256 slot_probability(const SlotId& id, At at) override {
    return view(at, "slotProbability",
                [&](auto& c, auto&, auto&) { return c.slot_probability(id); });
  }
  std::optional<std::string> can_mark_proof_as_missing(const SlotId& id, uint64_t period,
                                                       At at) override {
    try {
      const char* error = view(at, "canMarkProofAsMissing", [&](auto& c, auto&, auto& call) {
        return c.can_mark_proof_as_missing(call, id, period);
      });
      return error ? std::optional<std::string>(error) : std::nullopt;
    } catch (const MarketError& e) {
      return e.name();  // a panic
    }
  }
  Uint256 token_balance(const Address& who, At at) override {
    return view(at, "balanceOf", [&](auto&, auto& t, auto&) { return t.balance_of(who); });
  }
  Uint256 token_allowance(const Address& owner, const Address& spender, At at) override {
    return view(at, "allowance",
                [&](auto&, auto& t, auto&) { return t.allowance(owner, spender); });
  }

  PendingTx submit(const MarketAction& action, std::string key,
                   base::sqlite::WriteTxn* txn) override {
    return m_.submit(account_, action, std::move(key), txn);
  }
  TxResult wait(const PendingTx& tx) override { return m_.wait(account_, tx); }
  std::unique_ptr<EventStream> events(std::string name,
                                      std::optional<uint64_t> from_block) override {
    return m_.events(account_, std::move(name), from_block);
  }

 private:
  MarketModel& m_;
  Address account_;
};

}  // namespace

std::unique_ptr<MarketApi> MarketModel::connect(const Address& account) {
  return std::make_unique<ModelConnection>(*this, account);
}

}  // namespace codex::market::model
