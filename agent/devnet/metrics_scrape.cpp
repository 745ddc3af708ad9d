#include "agent/devnet/metrics_scrape.h"

#include <cstdlib>
#include <sstream>

#include "agent/client/rest_client.h"

namespace codex::devnet {

MetricSums sum_metrics(const std::string& text) {
  MetricSums out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    // name[{labels}] value [timestamp]; label values may hold spaces, so the
    // name ends at '{' or the first space and the value follows the '}'.
    const size_t name_end = line.find_first_of("{ ");
    if (name_end == std::string::npos || name_end == 0) continue;
    size_t rest = name_end;
    if (line[name_end] == '{') {
      rest = line.rfind('}');
      if (rest == std::string::npos) continue;
      ++rest;
    }
    const char* begin = line.c_str() + rest;
    char* end = nullptr;
    const double v = std::strtod(begin, &end);
    if (end == begin) continue;
    out[line.substr(0, name_end)] += v;
  }
  return out;
}

MetricSums scrape_metrics(const std::string& url) {
  return sum_metrics(agent::RestClient(url).get("/metrics"));
}

}  // namespace codex::devnet
