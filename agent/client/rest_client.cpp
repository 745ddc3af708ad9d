#include "agent/client/rest_client.h"

#include <curl/curl.h>

#include <strings.h>

#include <cstdio>
#include <cstdlib>
#include <memory>

namespace codex::agent {
namespace {

struct CurlHandle {
  CURL* h = curl_easy_init();
  curl_slist* headers = nullptr;
  ~CurlHandle() {
    curl_slist_free_all(headers);
    curl_easy_cleanup(h);
  }
};

struct File {
  FILE* f;
  explicit File(const std::filesystem::path& p, const char* mode) : f(std::fopen(p.c_str(), mode)) {
    if (!f) throw std::runtime_error("cannot open " + p.string());
  }
  ~File() {
    if (f) std::fclose(f);
  }
};

struct Transfer {
  FILE* file = nullptr;
  std::string body;  // response body when not writing to a file, or error text
  long status = 0;
  Progress progress;
  uint64_t total = 0;
  uint64_t done = 0;
  bool to_file = false;
};

size_t on_read(char* buf, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t got = std::fread(buf, 1, size * n, t->file);
  t->done += got;
  if (t->progress && !t->progress(t->done, t->total)) return CURL_READFUNC_ABORT;
  return got;
}

size_t on_write(char* buf, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t len = size * n;
  if (t->to_file && t->file) {
    if (std::fwrite(buf, 1, len, t->file) != len) return 0;
    t->done += len;
    if (t->progress && !t->progress(t->done, t->total)) return 0;
  } else {
    if (t->body.size() + len > (16u << 20)) return 0;  // bound error bodies
    t->body.append(buf, len);
  }
  return len;
}

void add_token(CurlHandle& c, const std::optional<std::string>& token) {
  if (token) c.headers = curl_slist_append(c.headers, ("Authorization: Bearer " + *token).c_str());
}

// A file name as a quoted-string (RFC 9110 §5.6.4): quotes and backslashes escaped.
std::string quoted_string(const std::string& s) {
  std::string out = "\"";
  for (char ch : s) {
    if (ch == '"' || ch == '\\') out.push_back('\\');
    out.push_back(ch);
  }
  return out + "\"";
}

void perform(CurlHandle& c, Transfer& t, const std::string& what) {
  CURLcode rc = curl_easy_perform(c.h);
  long status = 0;
  curl_easy_getinfo(c.h, CURLINFO_RESPONSE_CODE, &status);
  if (rc != CURLE_OK && status < 300)
    throw std::runtime_error(what + ": " + curl_easy_strerror(rc));
  if (status < 200 || status >= 300) throw HttpError(status, t.body);
}

}  // namespace

RestClient::RestClient(std::string base_url, std::optional<std::string> token)
    : base_(std::move(base_url)), token_(std::move(token)) {
  curl_global_init(CURL_GLOBAL_DEFAULT);
}

std::string RestClient::upload(const std::filesystem::path& path,
                               std::optional<std::string> mimetype,
                               std::optional<std::string> filename, Progress progress) {
  File f(path, "rb");
  Transfer t;
  t.file = f.f;
  t.total = std::filesystem::file_size(path);
  t.progress = std::move(progress);
  CurlHandle c;
  curl_easy_setopt(c.h, CURLOPT_URL, (base_ + "/data").c_str());
  curl_easy_setopt(c.h, CURLOPT_POST, 1L);
  curl_easy_setopt(c.h, CURLOPT_READFUNCTION, on_read);
  curl_easy_setopt(c.h, CURLOPT_READDATA, &t);
  curl_easy_setopt(c.h, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(t.total));
  curl_easy_setopt(c.h, CURLOPT_WRITEFUNCTION, on_write);
  curl_easy_setopt(c.h, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(c.h, CURLOPT_UPLOAD_BUFFERSIZE, 1L << 20);
  c.headers = curl_slist_append(c.headers, "Expect:");
  c.headers = curl_slist_append(
      c.headers, ("Content-Type: " + mimetype.value_or("application/octet-stream")).c_str());
  if (filename)
    c.headers = curl_slist_append(
        c.headers,
        ("Content-Disposition: attachment; filename=" + quoted_string(*filename)).c_str());
  add_token(c, token_);
  curl_easy_setopt(c.h, CURLOPT_HTTPHEADER, c.headers);
  perform(c, t, "upload");
  return t.body;
}

uint64_t RestClient::download(const std::string& cid, const std::filesystem::path& path,
                              Progress progress, bool from_network) {
  std::filesystem::path part = path;
  part += ".part";
  Transfer t;
  {
    File f(part, "wb");
    t.file = f.f;
    t.progress = std::move(progress);
    CurlHandle c;
    const std::string url = base_ + "/data/" + cid + (from_network ? "/network/stream" : "");
    curl_easy_setopt(c.h, CURLOPT_URL, url.c_str());
    curl_easy_setopt(c.h, CURLOPT_WRITEFUNCTION, on_write);
    curl_easy_setopt(c.h, CURLOPT_WRITEDATA, &t);
    curl_easy_setopt(c.h, CURLOPT_BUFFERSIZE, 512L * 1024);
    curl_easy_setopt(
        c.h, CURLOPT_HEADERFUNCTION, +[](char* buf, size_t size, size_t n, void* user) -> size_t {
          auto* t = static_cast<Transfer*>(user);
          std::string line(buf, size * n);
          if (line.rfind("HTTP/", 0) == 0) {
            // A new status line: 2xx bodies go to the file, others to body.
            size_t sp = line.find(' ');
            long st = sp == std::string::npos ? 0 : std::atol(line.c_str() + sp + 1);
            t->to_file = st >= 200 && st < 300;
          } else if (line.size() > 15 && strncasecmp(line.c_str(), "content-length:", 15) == 0) {
            t->total = std::strtoull(line.c_str() + 15, nullptr, 10);
          }
          return size * n;
        });
    curl_easy_setopt(c.h, CURLOPT_HEADERDATA, &t);
    add_token(c, token_);
    if (c.headers) curl_easy_setopt(c.h, CURLOPT_HTTPHEADER, c.headers);
    try {
      perform(c, t, "download");
    } catch (...) {
      std::filesystem::remove(part);
      throw;
    }
    if (std::fflush(f.f) != 0) throw std::runtime_error("download: cannot write " + part.string());
  }
  std::filesystem::rename(part, path);
  return t.done;
}

std::string RestClient::get(const std::string& path) {
  Transfer t;
  CurlHandle c;
  curl_easy_setopt(c.h, CURLOPT_URL, (base_ + path).c_str());
  curl_easy_setopt(c.h, CURLOPT_WRITEFUNCTION, on_write);
  curl_easy_setopt(c.h, CURLOPT_WRITEDATA, &t);
  add_token(c, token_);
  if (c.headers) curl_easy_setopt(c.h, CURLOPT_HTTPHEADER, c.headers);
  perform(c, t, "GET " + path);
  return t.body;
}

std::string RestClient::post_json(const std::string& path, const std::string& json) {
  Transfer t;
  CurlHandle c;
  curl_easy_setopt(c.h, CURLOPT_URL, (base_ + path).c_str());
  curl_easy_setopt(c.h, CURLOPT_POSTFIELDS, json.c_str());
  curl_easy_setopt(c.h, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(json.size()));
  curl_easy_setopt(c.h, CURLOPT_TIMEOUT, 300L);  // a storage request erasure-codes first
  curl_easy_setopt(c.h, CURLOPT_WRITEFUNCTION, on_write);
  curl_easy_setopt(c.h, CURLOPT_WRITEDATA, &t);
  c.headers = curl_slist_append(c.headers, "Content-Type: application/json");
  add_token(c, token_);
  curl_easy_setopt(c.h, CURLOPT_HTTPHEADER, c.headers);
  perform(c, t, "POST " + path);
  return t.body;
}

}  // namespace codex::agent
