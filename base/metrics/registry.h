#pragma once
// The metrics of one process's component (the node owns one; there is no
// global registry): metrics it keeps itself (counters, gauges, histograms,
// with or without labels) and pull collectors that read figures kept
// elsewhere (a database, a store) at each scrape. expose() writes them all
// in the Prometheus text format 0.0.4 (text_format.h).
//
// Registration (at start-up) throws std::invalid_argument for an invalid or
// duplicate name. A collector that throws contributes nothing to that scrape
// and is counted in the registry's own error counter.
//
// Thread-safety: thread-safe; the metrics handed out are lock-free or
// lock their own family. Collectors run on the thread that calls expose().
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/metrics/counter.h"
#include "base/metrics/family.h"
#include "base/metrics/gauge.h"
#include "base/metrics/histogram.h"

namespace codex::base::metrics {

using Labels = std::vector<std::pair<std::string, std::string>>;

// What a pull collector writes at a scrape: samples of counter and gauge
// families, grouped by name whatever their order.
class Collection {
 public:
  // Throws std::invalid_argument for an invalid metric or label name, or a
  // name written before with another type or help.
  void counter(std::string_view name, std::string_view help, const Labels& labels, double value);
  void gauge(std::string_view name, std::string_view help, const Labels& labels, double value);

 private:
  friend class Registry;
  struct Family {
    std::string name, help, type;
    std::vector<std::pair<Labels, double>> samples;
  };
  void add(std::string_view type, std::string_view name, std::string_view help,
           const Labels& labels, double value);
  std::vector<Family> families_;
};

class Registry {
 public:
  using Collector = std::function<void(Collection&)>;

  // `errors_name`: the counter of collectors that failed at a scrape.
  explicit Registry(std::string errors_name = "metrics_collector_errors_total");
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  Counter& counter(std::string name, std::string help);
  Gauge& gauge(std::string name, std::string help);
  Histogram& histogram(std::string name, std::string help, std::vector<double> bounds);
  Family<Counter>& counter_family(std::string name, std::string help,
                                  std::vector<std::string> label_names);
  Family<Gauge>& gauge_family(std::string name, std::string help,
                              std::vector<std::string> label_names);
  Family<Histogram>& histogram_family(std::string name, std::string help,
                                      std::vector<std::string> label_names,
                                      std::vector<double> bounds);

  // Called at every scrape, in the order added. Its families must not use a
  // name registered above.
  void add_collector(Collector collector);

  // The text format: registered families in the order registered, then the
  // collectors' families in the order first written.
  std::string expose() const;

 private:
  struct Entry;
  Entry& add(std::string name, std::string help, std::vector<std::string> label_names);

  mutable std::mutex mu_;
  std::vector<std::unique_ptr<Entry>> entries_;
  std::vector<Collector> collectors_;
  Counter* errors_ = nullptr;
};

}  // namespace codex::base::metrics
