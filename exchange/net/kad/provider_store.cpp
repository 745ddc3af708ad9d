#include "exchange/net/kad/provider_store.h"

#include <algorithm>

namespace codex::net::kad {

void ProviderStore::expire_key(std::map<std::vector<uint8_t>, std::vector<Record>>::iterator it,
                               Millis now) {
  auto& v = it->second;
  const auto before = v.size();
  std::erase_if(v, [&](const Record& r) { return r.expires <= now; });
  size_ -= before - v.size();
  if (v.empty()) records_.erase(it);
}

bool ProviderStore::add(const std::vector<uint8_t>& key, const PeerId& provider,
                        std::vector<Multiaddr> addrs, Millis expires, Millis now) {
  if (auto it = records_.find(key); it != records_.end()) expire_key(it, now);
  if (auto it = records_.find(key); it != records_.end()) {
    auto& v = it->second;
    for (auto& r : v)
      if (r.provider == provider) {
        r.expires = std::max(r.expires, expires);
        if (!addrs.empty()) r.addrs = std::move(addrs);
        return true;
      }
    if (v.size() >= per_key_) {
      auto first = std::min_element(v.begin(), v.end(), [](const Record& a, const Record& b) {
        return a.expires < b.expires;
      });
      *first = Record{provider, std::move(addrs), expires};
      return true;
    }
  }
  if (size_ >= total_) expire(now);
  if (size_ >= total_) return false;
  records_[key].push_back(Record{provider, std::move(addrs), expires});
  ++size_;
  return true;
}

std::vector<ProviderStore::Record> ProviderStore::get(const std::vector<uint8_t>& key, Millis now) {
  const auto it = records_.find(key);
  if (it == records_.end()) return {};
  expire_key(it, now);
  const auto again = records_.find(key);
  if (again == records_.end()) return {};
  return again->second;
}

void ProviderStore::expire(Millis now) {
  for (auto it = records_.begin(); it != records_.end();) {
    auto next = std::next(it);
    expire_key(it, now);
    it = next;
  }
}

}  // namespace codex::net::kad
