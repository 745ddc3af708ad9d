#pragma once
// What the REST handlers need from the running node.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace codex::base::metrics {
class Registry;
}
namespace codex::store {
class Repo;
}
namespace codex::sales {
class Availabilities;
class Sales;
}  // namespace codex::sales
namespace codex::purchasing {
class Purchasing;
}
namespace codex::market {
class MarketApi;
}
namespace codex::validator {
class Validator;
}
namespace codex::net {
class NodeKey;
class Network;
namespace kad {
class Dht;
}
}  // namespace codex::net

namespace codex::agent {

class ProtectedFetches;

struct ApiContext {
  store::Repo& repo;
  const net::NodeKey& key;
  std::string version;
  std::string repo_path;                   // shown by /debug/info
  std::vector<std::string> listen_addrs;   // multiaddrs, shown by /debug/info
  uint32_t block_size = 65536;             // of new uploads
  std::optional<std::string> cors_origin;  // CORS headers only when set
  // When set, every request needs "Authorization: Bearer <api_token>" (401
  // otherwise), compared in constant time. From --api-token-file.
  std::optional<std::string> api_token;
  // The peer-to-peer network (/connect, /spr, /debug/info); none in tests of
  // the store's routes alone.
  net::Network* network = nullptr;
  // Discovery: uploads are announced; network fetches look up providers.
  net::kad::Dht* dht = nullptr;
  // The provider's availabilities; none without the marketplace roles
  // (--persistence): its endpoints then answer 503.
  sales::Availabilities* availabilities = nullptr;
  // The marketplace roles (--persistence): the provider's sales, the client's
  // purchases and the marketplace they act on.
  sales::Sales* sales = nullptr;
  purchasing::Purchasing* purchasing = nullptr;
  market::MarketApi* market = nullptr;
  // The validator role (--validator); none: GET /validation answers 503.
  validator::Validator* validator = nullptr;
  // Where the server counts requests and their latencies (--metrics); none:
  // not counted.
  base::metrics::Registry* metrics = nullptr;
  // Background downloads of protected datasets; set by the REST server
  // when there is a network.
  ProtectedFetches* protected_fetches = nullptr;
};

}  // namespace codex::agent
