#pragma once
// The token file of --api-token-file, read by the node and by the CLI clients.
#include <filesystem>
#include <string>

namespace codex::agent {

// The file's first line, trimmed. The file must be private (mode 0600, as key
// files: exchange/crypto/key_file.h) and the token non-empty; throws
// std::runtime_error (crypto::KeyFileError) naming the file otherwise.
std::string read_api_token(const std::filesystem::path& file);

}  // namespace codex::agent
