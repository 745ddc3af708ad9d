#pragma once
// The C library's allocator, set for a program that moves data in blocks of
// 64 KiB to a few MiB (block downloads, uploads, erasure coding). By default
// glibc gives freed memory at the top of a heap back to the kernel once over
// 128 KiB, and serves requests of 128 KiB and more with fresh mappings until
// it adapts, so a transfer page-faults the same buffers back in over and over
// (a node-to-node download: ~40 000 faults and a quarter of the receiving
// node's CPU per 256 MiB). Freed memory up to the bounds below is kept for
// reuse instead: the peak memory is unchanged, it is just not returned.
//
// Call once at the start of main, before threads start. A no-op where the C
// library is not glibc.
namespace codex::base {

void tune_allocator_for_transfers();

}  // namespace codex::base
