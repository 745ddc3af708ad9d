#include "agent/sim/open_files.h"

#include <sys/resource.h>

#include <stdexcept>

namespace codex::sim {

uint64_t open_files_needed(uint64_t providers, uint64_t validators) {
  constexpr uint64_t kPerProvider = 6, kPerValidator = 4, kProcess = 64;
  return kPerProvider * providers + kPerValidator * validators + kProcess;
}

void ensure_open_files(uint64_t need, const std::string& what) {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return;  // nothing to go by: try
  if (limit.rlim_cur == RLIM_INFINITY || limit.rlim_cur >= need) return;
  rlimit raised = limit;
  raised.rlim_cur = need;
  if (limit.rlim_max != RLIM_INFINITY && limit.rlim_max < need) raised.rlim_max = need;
  if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) return;
  throw std::runtime_error(what + " keeps about " + std::to_string(need) +
                           " files open, and this process may open " +
                           std::to_string(limit.rlim_max) +
                           " (ulimit -Hn): raise the hard limit (as root, or in "
                           "/etc/security/limits.conf) or simulate fewer providers");
}

}  // namespace codex::sim
