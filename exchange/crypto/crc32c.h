#pragma once
// CRC32C (Castagnoli, the iSCSI polynomial 0x1EDC6F41, reflected, initial
// value and final xor 0xFFFFFFFF: CRC32C("123456789") = 0xE3069283) through
// ISA-L's crc32_iscsi, which picks the CPU's CRC32 instructions at run time
// (tens of GB/s; a 64 KiB block in a few microseconds).
//
// A checksum against accidental damage (a flipped bit on the disk), not a
// hash: anyone can make bytes with a chosen CRC. The store keeps one per
// block so that `repo check --quick` can find damage without SHA-256.
// Thread-safe (no state).
#include <cstdint>
#include <span>

namespace codex {

uint32_t crc32c(std::span<const uint8_t> data);

}  // namespace codex
