#pragma once
// What a devnet run does (configs/devnet/*.toml): how many providers, the
// chain preset, the client's storage request and what each provider offers.
// Every key is checked when the preset is read; an unknown key is an error,
// so that a typo never silently runs the default.
#include <cstdint>
#include <filesystem>
#include <string>

namespace codex::devnet {

struct DevnetPreset {
  std::string chain = "chain-devnet.json";  // chain preset in configs/
  uint32_t providers = 3;
  // The client's request (spec node.md §6.1).
  uint64_t file_size = 1 << 20;
  uint64_t duration = 120;  // seconds
  uint64_t expiry = 90;     // seconds for the slots to be filled
  uint64_t nodes = 3;
  uint64_t tolerance = 1;
  uint64_t proof_probability = 1;
  std::string price_per_byte_per_second = "1";
  std::string collateral_per_byte = "1";
  // Each provider's availability: room for exactly one slot (the slots then go
  // to different providers rather than to whichever reserves fastest).
  std::string total_collateral = "100000000000";

  // Throws std::invalid_argument naming the key.
  void validate() const;
};

// Reads a preset file; throws std::runtime_error "preset FILE: key: reason".
DevnetPreset load_devnet_preset(const std::filesystem::path& file);

}  // namespace codex::devnet
