#pragma once
// The methods each route pattern answers, for 405 Method Not Allowed with its
// Allow header (httplib itself answers 404 for a known path and a method it
// has no handler for). Filled while routes are registered; read-only after.
#include <regex>
#include <string>
#include <vector>

namespace codex::agent {

class AllowedMethods {
 public:
  // `pattern` is the route's regular expression, as given to httplib.
  void add(const std::string& method, const std::string& pattern);
  // "GET, POST" for a path some route matches, "" for an unknown path.
  std::string allow_header(const std::string& path) const;

 private:
  struct Route {
    std::string pattern;
    std::regex re;
    std::vector<std::string> methods;
  };
  std::vector<Route> routes_;
};

}  // namespace codex::agent
