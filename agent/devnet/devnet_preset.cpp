#include "agent/devnet/devnet_preset.h"

#include <toml++/toml.h>
#include <set>
#include <stdexcept>

#include "agent/config/units.h"
#include "agent/eth/uint256.h"

namespace codex::devnet {

namespace {

uint64_t unsigned_of(const toml::node& n, const std::string& key) {
  if (auto v = n.value<int64_t>(); v && *v >= 0) return uint64_t(*v);
  throw std::invalid_argument(key + ": expected a non-negative integer");
}

std::string amount_of(const toml::node& n, const std::string& key) {
  std::string text;
  if (auto s = n.value<std::string>())
    text = *s;
  else if (auto v = n.value<int64_t>(); v && *v >= 0)
    text = std::to_string(*v);
  else
    throw std::invalid_argument(key + ": expected a token amount (integer or decimal string)");
  try {
    (void)eth::Uint256::from_string(text);
  } catch (const std::exception& e) {
    throw std::invalid_argument(key + ": " + e.what());
  }
  return text;
}

}  // namespace

void DevnetPreset::validate() const {
  if (providers < 1 || providers > 16) throw std::invalid_argument("providers: 1 to 16");
  if (nodes < 1) throw std::invalid_argument("request.nodes: at least 1");
  if (tolerance >= nodes) throw std::invalid_argument("request.tolerance: must be below nodes");
  if (nodes > providers)
    throw std::invalid_argument(
        "request.nodes: " + std::to_string(nodes) +
        " slots need as many providers (providers = " + std::to_string(providers) + ")");
  if (file_size < 1 || file_size > (uint64_t(1) << 30))
    throw std::invalid_argument("request.file-size: 1 byte to 1 GiB");
  if (expiry < 1 || expiry >= duration)
    throw std::invalid_argument("request.expiry: at least 1 s and below request.duration");
  if (proof_probability < 1) throw std::invalid_argument("request.proof-probability: at least 1");
}

DevnetPreset load_devnet_preset(const std::filesystem::path& file) {
  const std::string where = "preset " + file.string() + ": ";
  toml::table t;
  try {
    t = toml::parse_file(file.string());
  } catch (const toml::parse_error& e) {
    throw std::runtime_error(where + std::string(e.description()));
  }
  DevnetPreset p;
  try {
    for (const auto& [k, v] : t) {
      const std::string key(k.str());
      if (key == "chain") {
        auto s = v.value<std::string>();
        if (!s || s->empty() || s->find('/') != std::string::npos)
          throw std::invalid_argument("chain: a file name in configs/ (chain-*.json)");
        p.chain = *s;
      } else if (key == "providers") {
        p.providers = uint32_t(std::min<uint64_t>(unsigned_of(v, key), 1000));
      } else if (key == "request" && v.is_table()) {
        for (const auto& [rk, rv] : *v.as_table()) {
          const std::string r = "request." + std::string(rk.str());
          if (rk == "file-size") {
            if (auto s = rv.value<std::string>())
              p.file_size = agent::parse_size(*s);
            else
              p.file_size = unsigned_of(rv, r);
          } else if (rk == "duration")
            p.duration = unsigned_of(rv, r);
          else if (rk == "expiry")
            p.expiry = unsigned_of(rv, r);
          else if (rk == "nodes")
            p.nodes = unsigned_of(rv, r);
          else if (rk == "tolerance")
            p.tolerance = unsigned_of(rv, r);
          else if (rk == "proof-probability")
            p.proof_probability = unsigned_of(rv, r);
          else if (rk == "price-per-byte-per-second")
            p.price_per_byte_per_second = amount_of(rv, r);
          else if (rk == "collateral-per-byte")
            p.collateral_per_byte = amount_of(rv, r);
          else
            throw std::invalid_argument(r + ": unknown key");
        }
      } else if (key == "provider" && v.is_table()) {
        for (const auto& [pk, pv] : *v.as_table()) {
          const std::string r = "provider." + std::string(pk.str());
          if (pk == "total-collateral")
            p.total_collateral = amount_of(pv, r);
          else
            throw std::invalid_argument(r + ": unknown key");
        }
      } else {
        throw std::invalid_argument(key + ": unknown key");
      }
    }
    p.validate();
  } catch (const std::invalid_argument& e) {
    throw std::runtime_error(where + e.what());
  }
  return p;
}

}  // namespace codex::devnet
