#include "exchange/net/kad/routing_table.h"

#include <algorithm>

namespace codex::net::kad {

RoutingTable::RoutingTable(const PeerId& self, size_t k, Millis stale_after)
    : self_(self), self_point_(point_of(self)), k_(k), stale_after_(stale_after), buckets_(256) {}

RoutingTable::Added RoutingTable::add(const PeerId& peer, Millis now) {
  if (peer == self_) return Added::kSelf;
  const Point p = point_of(peer);
  auto& bucket = buckets_[size_t(common_prefix_length(self_point_, p))];
  for (auto& e : bucket)
    if (e.peer == peer) {
      e.last_seen = std::max(e.last_seen, now);
      return Added::kUpdated;
    }
  if (bucket.size() < k_) {
    bucket.push_back({peer, p, now});
    ++size_;
    return Added::kNew;
  }
  auto oldest = std::min_element(bucket.begin(), bucket.end(), [](const Entry& a, const Entry& b) {
    return a.last_seen < b.last_seen;
  });
  if (now - oldest->last_seen < stale_after_) return Added::kFull;
  *oldest = Entry{peer, p, now};
  return Added::kReplaced;
}

void RoutingTable::remove(const PeerId& peer) {
  auto& bucket = buckets_[size_t(common_prefix_length(self_point_, point_of(peer)))];
  const auto it =
      std::find_if(bucket.begin(), bucket.end(), [&](const Entry& e) { return e.peer == peer; });
  if (it == bucket.end()) return;
  bucket.erase(it);
  --size_;
}

bool RoutingTable::contains(const PeerId& peer) const {
  if (peer == self_) return false;
  const auto& bucket = buckets_[size_t(common_prefix_length(self_point_, point_of(peer)))];
  return std::any_of(bucket.begin(), bucket.end(), [&](const Entry& e) { return e.peer == peer; });
}

std::vector<PeerId> RoutingTable::closest(const Point& target, size_t n) const {
  std::vector<std::pair<Point, const PeerId*>> all;
  all.reserve(size_);
  for (const auto& bucket : buckets_)
    for (const auto& e : bucket)
      all.emplace_back(distance(e.point, target), &e.peer);
  const size_t m = std::min(n, all.size());
  std::partial_sort(all.begin(), all.begin() + std::ptrdiff_t(m), all.end(),
                    [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<PeerId> out;
  out.reserve(m);
  for (size_t i = 0; i < m; ++i)
    out.push_back(*all[i].second);
  return out;
}

int RoutingTable::deepest_bucket() const {
  for (size_t i = buckets_.size(); i-- > 0;)
    if (!buckets_[i].empty()) return int(i);
  return -1;
}

std::vector<PeerId> RoutingTable::all() const {
  std::vector<PeerId> out;
  for (const auto& bucket : buckets_)
    for (const auto& e : bucket)
      out.push_back(e.peer);
  return out;
}

}  // namespace codex::net::kad
