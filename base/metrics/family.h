#pragma once
// One metric family with labels: a child metric (Counter, Gauge, Histogram)
// per combination of label values, created on first use and never removed,
// so that a reference to it stays valid for the family's life. Label values
// should come from small, fixed sets (methods, status codes, states): every
// combination is kept and exposed for ever. Thread-safe.
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

namespace codex::base::metrics {

template <class Metric>
class Family {
 public:
  using Values = std::vector<std::string>;

  Family(std::vector<std::string> label_names, std::function<std::unique_ptr<Metric>()> make)
      : label_names_(std::move(label_names)), make_(std::move(make)) {}
  Family(const Family&) = delete;
  Family& operator=(const Family&) = delete;

  // The child for these values, one per label name in order. Throws
  // std::invalid_argument when the count differs.
  Metric& with(const Values& values) {
    if (values.size() != label_names_.size())
      throw std::invalid_argument("metrics: " + std::to_string(values.size()) +
                                  " label values for " + std::to_string(label_names_.size()) +
                                  " labels");
    std::lock_guard lock(mu_);
    auto& child = children_[values];
    if (!child) child = make_();
    return *child;
  }

  const std::vector<std::string>& label_names() const { return label_names_; }

  // Calls fn(values, metric) for each child, in label-value order.
  void for_each(const std::function<void(const Values&, const Metric&)>& fn) const {
    std::lock_guard lock(mu_);
    for (const auto& [values, child] : children_)
      fn(values, *child);
  }

 private:
  const std::vector<std::string> label_names_;
  const std::function<std::unique_ptr<Metric>()> make_;
  mutable std::mutex mu_;
  std::map<Values, std::unique_ptr<Metric>> children_;
};

}  // namespace codex::base::metrics
