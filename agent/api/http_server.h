#pragma once
// cpp-httplib's server with the limits that its Debian 12 version (0.11.4)
// lacks, added through its own extension point (the virtual
// process_and_close_socket and the protected process_request):
//  - a deadline for a request's line and headers in total, on top of the
//    per-read timeout, so that a client trickling a header line now and then
//    cannot hold a request thread;
//  - no exception escapes a connection: one thrown while a response is being
//    written (a content provider whose blocks vanished) cuts that response
//    and closes its connection, where it used to terminate the process;
//  - its listening socket without SO_REUSEPORT (httplib's default), so a
//    second process cannot bind the same port and take half the requests;
//  - ranges left to the routes (httplib 0.11.4 applies a Range without
//    checking it against the size: see byte_range.h).
#include <httplib.h>

#include <chrono>
#include <cstddef>

namespace codex::agent {

struct HttpLimits {
  // Each read: a body may pause this long (headers are bounded below).
  std::chrono::seconds read_timeout{15};
  // Each write: a downloading client may stop reading this long.
  std::chrono::seconds write_timeout{30};
  // A request's line and headers, in total.
  std::chrono::seconds header_deadline{10};
  // Request threads: connections served at once (httplib's default is 8).
  size_t threads = 32;
};

class HttpServer : public httplib::Server {
 public:
  explicit HttpServer(HttpLimits limits = {});

  // From a handler (on the request's thread): close the connection after this
  // response, e.g. when a request was refused before its body was read.
  static void close_after_response();
  // From a handler or the logger (on the request's thread): when the current
  // request's first bytes arrived (its latency counts from there).
  static std::chrono::steady_clock::time_point request_started();

 private:
  bool process_and_close_socket(socket_t sock) override;

  HttpLimits limits_;
};

}  // namespace codex::agent
