// Log decoding throughput (goal: >= 50,000 logs/s): ABI decoding of marketplace
// events, and the full path from a JSON-RPC log object to decoded values.
#include <benchmark/benchmark.h>

#include <nlohmann/json.hpp>

#include "agent/eth/contract_abi.h"
#include "agent/eth/eth_client.h"
#include "agent/eth/keccak.h"
#include "tests/agent/support/marketplace_abi.h"

namespace codex::eth {
namespace {

const ContractAbi& abi() {
  static const ContractAbi a = ContractAbi::parse(test::marketplace_abi_json());
  return a;
}

Bytes storage_requested_data() {
  using L = AbiValue::List;
  AbiValue ask(L{uint64_t{4}, uint64_t{1}, uint64_t{1}, uint64_t{4}, uint64_t{1024}, uint64_t{3600},
                 uint64_t{1}});
  Bytes id(32, 0xa2);
  return abi::encode_tuple(abi().event("StorageRequested").data_tuple,
                           {id, ask, uint64_t{1700000600}});
}

void BM_DecodeStorageRequested(benchmark::State& state) {
  Bytes data = storage_requested_data();
  std::vector<Topic> topics{abi().event("StorageRequested").topic0};
  for (auto _ : state) {
    auto log = abi().decode_log(topics, data);
    benchmark::DoNotOptimize(log);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DecodeStorageRequested);

void BM_DecodeSlotFilled(benchmark::State& state) {
  Topic id{};
  id.fill(0x11);
  std::vector<Topic> topics{abi().event("SlotFilled").topic0, id};
  Bytes data = abi::encode(AbiType::parse("uint64"), uint64_t{3});
  for (auto _ : state) {
    auto log = abi().decode_log(topics, data);
    benchmark::DoNotOptimize(log);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DecodeSlotFilled);

// From the eth_getLogs reply text (1000 logs) to decoded events.
void BM_JsonRepliesToDecodedEvents(benchmark::State& state) {
  Bytes data = storage_requested_data();
  nlohmann::json arr = nlohmann::json::array();
  for (int i = 0; i < 1000; ++i)
    arr.push_back({{"address", "0x5fbdb2315678afecb367f032d93f642f64180aa3"},
                   {"topics", {to_hex(abi().event("StorageRequested").topic0)}},
                   {"data", to_hex(data)},
                   {"blockNumber", "0x1234"},
                   {"blockHash", "0x" + std::string(64, 'b')},
                   {"transactionHash", "0x" + std::string(64, 'c')},
                   {"logIndex", "0x1"},
                   {"removed", false}});
  std::string text = arr.dump();
  for (auto _ : state) {
    auto parsed = nlohmann::json::parse(text);
    size_t n = 0;
    for (const auto& j : parsed) {
      Log l = parse_log(j);
      auto d = abi().decode_log(l.topics, l.data);
      n += d.has_value();
    }
    benchmark::DoNotOptimize(n);
  }
  state.SetItemsProcessed(state.iterations() * 1000);
}
BENCHMARK(BM_JsonRepliesToDecodedEvents);

void BM_EncodeRequestStorage(benchmark::State& state) {
  using L = AbiValue::List;
  AbiValue req(L{Address{},
                 L{uint64_t{4}, uint64_t{1}, uint64_t{1}, uint64_t{4}, uint64_t{1024},
                   uint64_t{3600}, uint64_t{1}},
                 L{Bytes(38, 1), Bytes(32, 0x11)}, uint64_t{600}, Bytes(32, 0x22)});
  for (auto _ : state) {
    Bytes cd = abi().encode_call("requestStorage", {req});
    benchmark::DoNotOptimize(cd);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EncodeRequestStorage);

void BM_Keccak256_64B(benchmark::State& state) {
  Bytes in(64, 7);
  for (auto _ : state)
    benchmark::DoNotOptimize(keccak256(in));
  state.SetBytesProcessed(state.iterations() * 64);
}
BENCHMARK(BM_Keccak256_64B);

}  // namespace
}  // namespace codex::eth
