// The JSON-RPC client interface the chain layer talks through. The production
// implementation is HttpRpcClient (libcurl); tests may drive higher layers with
// their own implementation. JSON values are nlohmann::json (forward-declared
// here; include <nlohmann/json.hpp> to use them).
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace codex::eth {

class RpcClient {
 public:
  virtual ~RpcClient() = default;

  // Calls `method` with `params` (a JSON array) and returns the "result" member.
  // Throws RpcError (rpc_error.h) classified by kind: transport failures and
  // garbage replies after the implementation's retries, node error objects
  // (including reverts, whose revert data is extracted) without retrying.
  virtual nlohmann::json call(std::string_view method, const nlohmann::json& params) = 0;

  // Sends several calls in one request. Returns one entry per call, in call order,
  // each the full response object ({"result":…} or {"error":…}); use
  // result_or_throw() (rpc_error.h) to unpack. Throws RpcError only when the batch
  // as a whole fails (transport, malformed reply, missing ids).
  virtual std::vector<nlohmann::json> batch(
      const std::vector<std::pair<std::string, nlohmann::json>>& calls) = 0;
};

}  // namespace codex::eth
