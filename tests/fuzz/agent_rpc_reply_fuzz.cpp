// What the JSON-RPC client does with a node's reply entry (a JSON value): the
// result, an RpcError (the node's error, reverted with its data, or
// malformed), never anything else; revert data is extracted from any shape.
#include <nlohmann/json.hpp>

#include "agent/eth/rpc_error.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace codex::eth;
  const nlohmann::json reply = nlohmann::json::parse(data, data + size, nullptr, false);
  if (reply.is_discarded()) return 0;
  try {
    const nlohmann::json& result = result_or_throw("eth_call", reply);
    FUZZ_CHECK(reply.is_object() && reply.contains("result") && &result == &reply["result"]);
  } catch (const RpcError& e) {
    FUZZ_CHECK(e.kind() != RpcErrorKind::Transport);
    if (e.kind() == RpcErrorKind::Reverted && reply.contains("error"))
      FUZZ_CHECK(e.revert_data() == extract_revert_data(reply["error"]).value_or(Bytes{}));
  }
  (void)extract_revert_data(reply);
  return 0;
}
