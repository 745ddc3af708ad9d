#include "agent/api/mime_types.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace codex::agent {
namespace {

// Sorted for binary search.
constexpr std::array<std::string_view, 96> kKnown = {
    "application/epub+zip",
    "application/gzip",
    "application/java-archive",
    "application/javascript",
    "application/json",
    "application/ld+json",
    "application/msword",
    "application/octet-stream",
    "application/ogg",
    "application/pdf",
    "application/pgp-signature",
    "application/postscript",
    "application/rtf",
    "application/sql",
    "application/vnd.amazon.ebook",
    "application/vnd.android.package-archive",
    "application/vnd.apple.installer+xml",
    "application/vnd.debian.binary-package",
    "application/vnd.ms-excel",
    "application/vnd.ms-fontobject",
    "application/vnd.ms-powerpoint",
    "application/vnd.oasis.opendocument.presentation",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.rar",
    "application/vnd.visio",
    "application/wasm",
    "application/x-7z-compressed",
    "application/x-bzip",
    "application/x-bzip2",
    "application/x-cdf",
    "application/x-csh",
    "application/x-freearc",
    "application/x-httpd-php",
    "application/x-iso9660-image",
    "application/x-sh",
    "application/x-tar",
    "application/x-xz",
    "application/xhtml+xml",
    "application/xml",
    "application/yaml",
    "application/zip",
    "application/zstd",
    "audio/aac",
    "audio/flac",
    "audio/midi",
    "audio/mp4",
    "audio/mpeg",
    "audio/ogg",
    "audio/opus",
    "audio/wav",
    "audio/webm",
    "audio/x-midi",
    "font/otf",
    "font/ttf",
    "font/woff",
    "font/woff2",
    "image/apng",
    "image/avif",
    "image/bmp",
    "image/gif",
    "image/heic",
    "image/jpeg",
    "image/png",
    "image/svg+xml",
    "image/tiff",
    "image/vnd.microsoft.icon",
    "image/webp",
    "image/x-icon",
    "message/rfc822",
    "model/gltf+json",
    "model/gltf-binary",
    "model/stl",
    "multipart/form-data",
    "text/calendar",
    "text/css",
    "text/csv",
    "text/html",
    "text/javascript",
    "text/markdown",
    "text/plain",
    "text/richtext",
    "text/tab-separated-values",
    "text/vcard",
    "text/x-c",
    "text/x-python",
    "text/xml",
    "video/mp2t",
    "video/mp4",
    "video/mpeg",
    "video/ogg",
    "video/quicktime",
    "video/webm",
};

}  // namespace

std::string normalise_mime_type(std::string_view content_type) {
  std::string_view t = content_type.substr(0, content_type.find(';'));
  while (!t.empty() && std::isspace(static_cast<unsigned char>(t.front())))
    t.remove_prefix(1);
  while (!t.empty() && std::isspace(static_cast<unsigned char>(t.back())))
    t.remove_suffix(1);
  std::string out(t);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return char(std::tolower(c)); });
  return out;
}

bool is_known_mime_type(std::string_view content_type) {
  std::string t = normalise_mime_type(content_type);
  return std::binary_search(kKnown.begin(), kKnown.end(), std::string_view(t));
}

}  // namespace codex::agent
