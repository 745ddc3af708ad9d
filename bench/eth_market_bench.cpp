// The market layer on top of the eth layer: typed event decoding with the
// compiled Marketplace ABI (goal >= 50,000 logs/s), and against a local anvil
// with the contracts deployed from C++: a marketplace view through the facade,
// and request/reserve transactions from send to receipt (estimate, sign,
// journal, send, wait).
#include <benchmark/benchmark.h>

#include "agent/market/abi_mapping.h"
#include "agent/market/events.h"
#include "tests/agent/support/market_env.h"

namespace codex::market {
namespace {

const Marketplace& offline_market() {
  // A facade only for its ABI and decoding; never called.
  static eth::HttpRpcClient rpc(eth::HttpRpcOptions{"http://127.0.0.1:1"});
  static eth::EthClient eth(rpc);
  static const Marketplace m(eth, Address{});
  return m;
}

eth::Log log_of(const std::string& event, std::vector<Hash> topics_after, Bytes data) {
  eth::Log l;
  l.topics.push_back(offline_market().abi().event(event).topic0);
  for (auto& t : topics_after)
    l.topics.push_back(t);
  l.data = std::move(data);
  return l;
}

void BM_TypedDecodeStorageRequested(benchmark::State& state) {
  Ask ask{Uint256(4), Uint256(1), Uint256(1), 4, 1024, 3600, 1};
  Bytes id(32, 0xa2);
  Bytes data = eth::abi::encode_tuple(offline_market().abi().event("StorageRequested").data_tuple,
                                      {id, to_abi(ask), uint64_t{1700000600}});
  eth::Log l = log_of("StorageRequested", {}, data);
  for (auto _ : state)
    benchmark::DoNotOptimize(decode_event(offline_market().abi(), l));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_TypedDecodeStorageRequested);

void BM_TypedDecodeSlotFilled(benchmark::State& state) {
  Hash id;
  id.fill(0x11);
  eth::Log l =
      log_of("SlotFilled", {id}, eth::abi::encode(eth::AbiType::parse("uint64"), uint64_t{3}));
  for (auto _ : state)
    benchmark::DoNotOptimize(decode_event(offline_market().abi(), l));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_TypedDecodeSlotFilled);

struct Chain {
  test::MarketEnv env{[] {
    DeploymentPlan p;
    p.config = test::chain_preset("devnet");
    return p;
  }()};
  uint64_t next_nonce = 1;  // google-benchmark reruns each function: never reuse a request
  static Chain& get() {
    static Chain c;
    return c;
  }
};

// Each run of a benchmark approves anew: a key of its own.
std::string approve_key() {
  return "approve/bench/" + std::to_string(Chain::get().next_nonce);
}

Request bench_request(const Address& client, uint64_t n) {
  Request r;
  r.client = client;
  r.ask = {Uint256(1), Uint256(1), Uint256(1), 4, 1024, 600, 1};
  r.content.cid = {0x01, 0x55, 0x12};
  r.expiry = 300;
  for (int i = 0; i < 8; ++i)
    r.nonce[i] = static_cast<uint8_t>(n >> (8 * i));
  return r;
}

void BM_MarketViewRequestState(benchmark::State& state) {
  auto& env = Chain::get().env;
  Marketplace m = env.market(1);
  env.token(1).approve(m.address(), Uint256(1'000'000'000'000), approve_key());
  Request r = bench_request(env.address(1), Chain::get().next_nonce++);
  m.request_storage(r);
  RequestId id = request_id(r);
  for (auto _ : state)
    benchmark::DoNotOptimize(m.request_state(id));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_MarketViewRequestState)->UseRealTime();

// requestStorage (~450k gas) from send to receipt, gas estimated each time.
void BM_RequestStorageToReceipt(benchmark::State& state) {
  auto& env = Chain::get().env;
  Marketplace m = env.market(1);
  env.token(1).approve(m.address(), Uint256(1'000'000'000'000), approve_key());
  for (auto _ : state)
    m.request_storage(bench_request(env.address(1), Chain::get().next_nonce++));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RequestStorageToReceipt)->UseRealTime()->Unit(benchmark::kMillisecond);

// reserveSlot (~95k gas) from send to receipt.
void BM_ReserveSlotToReceipt(benchmark::State& state) {
  auto& env = Chain::get().env;
  Marketplace client = env.market(1), host = env.market(2);
  env.token(1).approve(client.address(), Uint256(1'000'000'000'000), approve_key());
  Request r = bench_request(env.address(1), Chain::get().next_nonce++);
  r.ask.slots = 1u << 20;  // reserveSlot does not check the index against the request
  client.request_storage(r);
  RequestId id = request_id(r);
  uint64_t slot = 0;
  for (auto _ : state)
    host.reserve_slot(id, slot++);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ReserveSlotToReceipt)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace codex::market
