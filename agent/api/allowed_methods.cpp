#include "agent/api/allowed_methods.h"

#include <algorithm>

namespace codex::agent {

void AllowedMethods::add(const std::string& method, const std::string& pattern) {
  auto it = std::find_if(routes_.begin(), routes_.end(),
                         [&](const Route& r) { return r.pattern == pattern; });
  if (it == routes_.end())
    it = routes_.insert(routes_.end(), Route{pattern, std::regex(pattern), {}});
  if (std::find(it->methods.begin(), it->methods.end(), method) == it->methods.end())
    it->methods.push_back(method);
}

std::string AllowedMethods::allow_header(const std::string& path) const {
  std::vector<std::string> methods;
  for (const Route& r : routes_)
    if (std::regex_match(path, r.re))
      for (const std::string& m : r.methods)
        if (std::find(methods.begin(), methods.end(), m) == methods.end()) methods.push_back(m);
  static const std::vector<std::string> kOrder{"GET",   "HEAD",   "POST",   "PUT",
                                               "PATCH", "DELETE", "OPTIONS"};
  auto rank = [](const std::string& m) {
    return std::find(kOrder.begin(), kOrder.end(), m) - kOrder.begin();
  };
  std::sort(methods.begin(), methods.end(),
            [&](const std::string& a, const std::string& b) { return rank(a) < rank(b); });
  std::string out;
  for (const std::string& m : methods)
    out += (out.empty() ? "" : ", ") + m;
  return out;
}

}  // namespace codex::agent
