#pragma once
// MIME types accepted for uploads. The reference accepts a Content-Type only
// if its MIME table knows it; we keep a table of the registered types in
// common use (mime_types.cpp) and, friendlier than the reference, ignore
// parameters such as "; charset=utf-8" and letter case.
#include <string>
#include <string_view>

namespace codex::agent {

// True when `content_type` (a header value) names a known MIME type.
bool is_known_mime_type(std::string_view content_type);

// The media type without parameters, lower-cased: "Text/Plain; x=y" → "text/plain".
std::string normalise_mime_type(std::string_view content_type);

}  // namespace codex::agent
