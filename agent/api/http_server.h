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

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <thread>

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
  ~HttpServer() override;  // stop_serving()

  // Binds host:port (port 0 picks a free one) and returns the port. Throws
  // std::runtime_error "<what>: cannot listen on host:port: …", naming
  // `port_option` when another process has the port.
  uint16_t bind_port(const std::string& host, uint16_t port, const std::string& what,
                     const std::string& port_option);
  // Serves on a thread of its own until stop_serving(); returns once the
  // server accepts. Requires bind_port().
  void serve_in_background();
  // Stops accepting, finishes the requests in flight, joins. Idempotent.
  void stop_serving();

  // From a handler (on the request's thread): close the connection after this
  // response, e.g. when a request was refused before its body was read.
  static void close_after_response();
  // From a handler or the logger (on the request's thread): when the current
  // request's first bytes arrived (its latency counts from there).
  static std::chrono::steady_clock::time_point request_started();

 private:
  bool process_and_close_socket(socket_t sock) override;

  HttpLimits limits_;
  bool bound_ = false;
  std::thread thread_;
  std::atomic<bool> listening_done_{false};
};

}  // namespace codex::agent
