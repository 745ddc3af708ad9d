#include "agent/api/api_token.h"

#include <stdexcept>
#include <string_view>

#include "base/strings.h"
#include "exchange/crypto/key_file.h"

namespace codex::agent {

std::string read_api_token(const std::filesystem::path& file) {
  crypto::SecretBytes bytes = crypto::read_key_file(file);
  std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  text = base::trim(text.substr(0, text.find('\n')));
  if (text.empty()) throw std::runtime_error("api token file " + file.string() + " is empty");
  return std::string(text);
}

}  // namespace codex::agent
