// Against a local anvil started by the benchmark: eth_call round trips per second
// (single and batched) and the time from sending a transaction to its receipt.
#include <benchmark/benchmark.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "agent/eth/http_rpc_client.h"
#include "agent/eth/tx_sender.h"
#include "base/sqlite/database.h"
#include "tests/agent/support/anvil.h"
#include "tests/agent/support/test_contract.h"

namespace codex::eth {
namespace {

struct Env {
  test::Anvil anvil;
  Address emitter = test::deploy_emitter(anvil);
  HttpRpcClient rpc{HttpRpcOptions{anvil.url()}};
  EthClient eth{rpc};
  static Env& get() {
    static Env e;
    return e;
  }
};

CallRequest sample_call() {
  CallRequest c;
  c.to = Env::get().emitter;
  c.data = Bytes(32, 1);
  return c;
}

void BM_EthCallSingle(benchmark::State& state) {
  auto& env = Env::get();
  CallRequest c = sample_call();
  for (auto _ : state)
    benchmark::DoNotOptimize(env.eth.call(c));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EthCallSingle)->UseRealTime();

void BM_EthCallBatched(benchmark::State& state) {
  auto& env = Env::get();
  std::vector<CallRequest> calls(static_cast<size_t>(state.range(0)), sample_call());
  for (auto _ : state)
    benchmark::DoNotOptimize(env.eth.call_batch(calls));
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_EthCallBatched)->Arg(10)->Arg(100)->UseRealTime();

void BM_SendToReceipt(benchmark::State& state) {
  auto& env = Env::get();
  char tmpl[] = "/tmp/eth_bench_XXXXXX";
  std::filesystem::path dir = mkdtemp(tmpl);
  {
    auto db = base::sqlite::Database::open(dir / "agent.db");
    PrivateKey key = PrivateKey::from_hex(test::kDevKeys[1]);
    TxOptions o;
    o.poll_interval = std::chrono::milliseconds(2);
    TxSender sender(env.eth, key, *db, o);
    TxRequest r;
    r.to = Address::parse("0x90F79bf6EB2c4f870365E785982E1f101E93b906");
    r.value = Uint256(1);
    r.gas_limit = 21000;  // skip estimation: measure send -> receipt
    uint64_t n = 0;
    for (auto _ : state) {
      r.key = "bench/" + std::to_string(n++);
      Receipt rc = sender.send(r);
      if (!rc.success) state.SkipWithError("transaction failed");
    }
  }
  std::filesystem::remove_all(dir);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SendToReceipt)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace codex::eth
