#pragma once
// What the devnet reads of a node's Prometheus /metrics (--metrics): each
// family's value summed over its label sets ("codex_sales_proofs_required_total"
// → 7). A small reader of the text format's sample lines; the node's own test
// checks the format with an independent parser.
#include <map>
#include <string>

namespace codex::devnet {

using MetricSums = std::map<std::string, double>;

// Throws std::runtime_error when the node does not answer.
MetricSums scrape_metrics(const std::string& url);  // http://127.0.0.1:PORT

// Sample lines of `text` summed by metric name; comments and malformed lines
// are skipped.
MetricSums sum_metrics(const std::string& text);

}  // namespace codex::devnet
