#pragma once
// The filename of an upload's Content-Disposition header:
//   attachment; filename="report.pdf"   (also inline / form-data, unquoted names)
#include <optional>
#include <string>
#include <string_view>

namespace codex::agent {

// The filename, or nullopt when the header is malformed or the name is unsafe
// (empty, over 255 bytes, not UTF-8, a path separator, a control character,
// "." or "..").
std::optional<std::string> filename_from_content_disposition(std::string_view header);

}  // namespace codex::agent
