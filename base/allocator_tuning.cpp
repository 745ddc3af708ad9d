#include "base/allocator_tuning.h"

// Any C library header defines __GLIBC__ on glibc (none was included yet).
#include <cstddef>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace codex::base {

void tune_allocator_for_transfers() {
#if defined(__GLIBC__)
  // Blocks below 4 MiB (a delivery message of 20 blocks is 1.3 MiB) come from
  // the heaps; up to 32 MiB free at a heap's top stays mapped.
  mallopt(M_MMAP_THRESHOLD, 4 << 20);
  mallopt(M_TRIM_THRESHOLD, 32 << 20);
#endif
}

}  // namespace codex::base
