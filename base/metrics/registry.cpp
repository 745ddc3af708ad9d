#include "base/metrics/registry.h"

#include <algorithm>
#include <stdexcept>

#include "base/metrics/text_format.h"

namespace codex::base::metrics {
namespace {

void check_labels(std::string_view metric, const std::vector<std::string>& names) {
  for (const auto& n : names)
    if (!valid_label_name(n) || n == "le")  // "le" is the histograms' own
      throw std::invalid_argument("metrics: invalid label name '" + n + "' of " +
                                  std::string(metric));
}

// {a="x",b="y"} or nothing; `extra` (a histogram's le) goes last.
std::string label_text(const std::vector<std::string>& names,
                       const std::vector<std::string>& values,
                       const std::pair<std::string, std::string>* extra = nullptr) {
  if (names.empty() && !extra) return {};
  std::string out = "{";
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += ',';
    out += names[i] + "=\"" + escape_label_value(values[i]) + '"';
  }
  if (extra) {
    if (!names.empty()) out += ',';
    out += extra->first + "=\"" + escape_label_value(extra->second) + '"';
  }
  return out + "}";
}

void header(std::string& out, const std::string& name, const std::string& help,
            std::string_view type) {
  out += "# HELP " + name + " " + escape_help(help) + "\n";
  out += "# TYPE " + name + " ";
  out += type;
  out += "\n";
}

}  // namespace

struct Registry::Entry {
  std::string name, help;
  std::vector<std::string> label_names;
  std::unique_ptr<Family<Counter>> counters;
  std::unique_ptr<Family<Gauge>> gauges;
  std::unique_ptr<Family<Histogram>> histograms;

  void write(std::string& out) const {
    if (counters) {
      header(out, name, help, "counter");
      counters->for_each([&](const auto& values, const Counter& c) {
        out += name + label_text(label_names, values) + " " + std::to_string(c.value()) + "\n";
      });
    } else if (gauges) {
      header(out, name, help, "gauge");
      gauges->for_each([&](const auto& values, const Gauge& g) {
        out += name + label_text(label_names, values) + " " + format_value(g.value()) + "\n";
      });
    } else {
      header(out, name, help, "histogram");
      histograms->for_each([&](const auto& values, const Histogram& h) {
        const Histogram::Snapshot s = h.snapshot();
        for (size_t i = 0; i <= s.bounds.size(); ++i) {
          const std::pair<std::string, std::string> le{
              "le", i < s.bounds.size() ? format_value(s.bounds[i]) : "+Inf"};
          out += name + "_bucket" + label_text(label_names, values, &le) + " " +
                 std::to_string(s.cumulative[i]) + "\n";
        }
        const std::string labels = label_text(label_names, values);
        out += name + "_sum" + labels + " " + format_value(s.sum) + "\n";
        out += name + "_count" + labels + " " + std::to_string(s.cumulative.back()) + "\n";
      });
    }
  }
};

void Collection::counter(std::string_view name, std::string_view help, const Labels& labels,
                         double value) {
  add("counter", name, help, labels, value);
}

void Collection::gauge(std::string_view name, std::string_view help, const Labels& labels,
                       double value) {
  add("gauge", name, help, labels, value);
}

void Collection::add(std::string_view type, std::string_view name, std::string_view help,
                     const Labels& labels, double value) {
  if (!valid_metric_name(name))
    throw std::invalid_argument("metrics: invalid metric name '" + std::string(name) + "'");
  for (const auto& [n, v] : labels)
    if (!valid_label_name(n))
      throw std::invalid_argument("metrics: invalid label name '" + n + "' of " +
                                  std::string(name));
  auto it = std::find_if(families_.begin(), families_.end(),
                         [&](const Family& f) { return f.name == name; });
  if (it == families_.end()) {
    families_.push_back({std::string(name), std::string(help), std::string(type), {}});
    it = families_.end() - 1;
  } else if (it->type != type || it->help != help) {
    throw std::invalid_argument("metrics: '" + std::string(name) +
                                "' written with two types or helps");
  }
  it->samples.emplace_back(labels, value);
}

Registry::Registry(std::string errors_name) {
  errors_ = &counter(std::move(errors_name),
                     "Metric collectors that failed at a scrape (their figures were left out).");
}

Registry::~Registry() = default;

Registry::Entry& Registry::add(std::string name, std::string help,
                               std::vector<std::string> label_names) {
  if (!valid_metric_name(name))
    throw std::invalid_argument("metrics: invalid metric name '" + name + "'");
  check_labels(name, label_names);
  std::lock_guard lock(mu_);
  for (const auto& e : entries_)
    if (e->name == name) throw std::invalid_argument("metrics: '" + name + "' registered twice");
  auto e = std::make_unique<Entry>();
  e->name = std::move(name);
  e->help = std::move(help);
  e->label_names = std::move(label_names);
  entries_.push_back(std::move(e));
  return *entries_.back();
}

Family<Counter>& Registry::counter_family(std::string name, std::string help,
                                          std::vector<std::string> label_names) {
  Entry& e = add(std::move(name), std::move(help), std::move(label_names));
  e.counters =
      std::make_unique<Family<Counter>>(e.label_names, [] { return std::make_unique<Counter>(); });
  return *e.counters;
}

Family<Gauge>& Registry::gauge_family(std::string name, std::string help,
                                      std::vector<std::string> label_names) {
  Entry& e = add(std::move(name), std::move(help), std::move(label_names));
  e.gauges =
      std::make_unique<Family<Gauge>>(e.label_names, [] { return std::make_unique<Gauge>(); });
  return *e.gauges;
}

Family<Histogram>& Registry::histogram_family(std::string name, std::string help,
                                              std::vector<std::string> label_names,
                                              std::vector<double> bounds) {
  Histogram check(bounds);  // throws for bad bounds before anything is registered
  Entry& e = add(std::move(name), std::move(help), std::move(label_names));
  e.histograms = std::make_unique<Family<Histogram>>(
      e.label_names, [bounds] { return std::make_unique<Histogram>(bounds); });
  return *e.histograms;
}

Counter& Registry::counter(std::string name, std::string help) {
  return counter_family(std::move(name), std::move(help), {}).with({});
}

Gauge& Registry::gauge(std::string name, std::string help) {
  return gauge_family(std::move(name), std::move(help), {}).with({});
}

Histogram& Registry::histogram(std::string name, std::string help, std::vector<double> bounds) {
  return histogram_family(std::move(name), std::move(help), {}, std::move(bounds)).with({});
}

void Registry::add_collector(Collector collector) {
  std::lock_guard lock(mu_);
  collectors_.push_back(std::move(collector));
}

std::string Registry::expose() const {
  std::lock_guard lock(mu_);
  // Collectors first: a failure counts in the errors counter written below.
  Collection all;
  for (const auto& collect : collectors_) {
    Collection one;
    try {
      collect(one);
      // Checked whole before anything is merged: a failed collector adds nothing.
      for (const auto& f : one.families_) {
        if (std::any_of(entries_.begin(), entries_.end(),
                        [&](const auto& e) { return e->name == f.name; }))
          throw std::invalid_argument("metrics: collected '" + f.name + "' is registered");
        for (const auto& g : all.families_)
          if (g.name == f.name && (g.type != f.type || g.help != f.help))
            throw std::invalid_argument("metrics: '" + f.name + "' collected twice, differently");
      }
      for (const auto& f : one.families_)
        for (const auto& [labels, value] : f.samples)
          all.add(f.type, f.name, f.help, labels, value);
    } catch (const std::exception&) {
      errors_->inc();
    }
  }
  std::string out;
  for (const auto& e : entries_)
    e->write(out);
  for (const auto& f : all.families_) {
    header(out, f.name, f.help, f.type);
    for (const auto& [labels, value] : f.samples) {
      std::vector<std::string> names, values;
      for (const auto& [n, v] : labels) {
        names.push_back(n);
        values.push_back(v);
      }
      out += f.name + label_text(names, values) + " " + format_value(value) + "\n";
    }
  }
  return out;
}

}  // namespace codex::base::metrics
