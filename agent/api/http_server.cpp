#include "agent/api/http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace codex::agent {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// Waits up to `timeout` for `events` on fd; false on time-out or error.
bool wait_for(int fd, short events, milliseconds timeout) {
  pollfd p{fd, events, 0};
  int r;
  do {
    r = ::poll(&p, 1, int(std::max<int64_t>(0, timeout.count())));
  } while (r < 0 && errno == EINTR);
  return r > 0;
}

std::pair<std::string, int> address(const sockaddr_storage& a) {
  char host[INET6_ADDRSTRLEN] = "";
  int port = 0;
  if (a.ss_family == AF_INET) {
    auto* v4 = reinterpret_cast<const sockaddr_in*>(&a);
    ::inet_ntop(AF_INET, &v4->sin_addr, host, sizeof host);
    port = ntohs(v4->sin_port);
  } else if (a.ss_family == AF_INET6) {
    auto* v6 = reinterpret_cast<const sockaddr_in6*>(&a);
    ::inet_ntop(AF_INET6, &v6->sin6_addr, host, sizeof host);
    port = ntohs(v6->sin6_port);
  }
  return {host, port};
}

// One accepted connection: buffered reads (httplib reads headers a byte at a
// time), time-outs per read and write, and the header deadline.
class Connection final : public httplib::Stream {
 public:
  Connection(int fd, const HttpLimits& limits) : fd_(fd), limits_(limits) {}
  ~Connection() override {
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  void start_request() {
    started_ = Clock::now();
    deadline_ = started_ + limits_.header_deadline;
    in_headers_ = true;
    close_ = false;
  }
  void headers_done() { in_headers_ = false; }
  void request_close() { close_ = true; }
  bool close_requested() const { return close_; }
  Clock::time_point started() const { return started_; }

  // True once a request's headers missed their deadline: the connection ends
  // (httplib answers 400 and would otherwise read on).
  bool deadline_missed() const { return missed_; }

  bool is_readable() const override {
    milliseconds timeout = limits_.read_timeout;
    if (in_headers_) {
      timeout =
          std::min(timeout, std::chrono::duration_cast<milliseconds>(deadline_ - Clock::now()));
      if (timeout.count() <= 0) {
        missed_ = true;
        return false;
      }
    }
    if (wait_for(fd_, POLLIN, timeout)) return true;
    if (in_headers_ && Clock::now() >= deadline_) missed_ = true;
    return false;
  }
  bool is_writable() const override { return wait_for(fd_, POLLOUT, limits_.write_timeout); }

  ssize_t read(char* ptr, size_t size) override {
    if (off_ < len_) {
      size_t n = std::min(size, len_ - off_);
      std::memcpy(ptr, buf_.data() + off_, n);
      off_ += n;
      return ssize_t(n);
    }
    if (!is_readable()) return -1;
    if (size >= buf_.size()) return recv(ptr, size);
    ssize_t n = recv(buf_.data(), buf_.size());
    if (n <= 0) return n;
    len_ = size_t(n);
    off_ = std::min(size, len_);
    std::memcpy(ptr, buf_.data(), off_);
    return ssize_t(off_);
  }
  ssize_t write(const char* ptr, size_t size) override {
    if (!is_writable()) return -1;
    ssize_t n;
    do {
      n = ::send(fd_, ptr, size, MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    return n;
  }
  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    sockaddr_storage a{};
    socklen_t len = sizeof a;
    if (::getpeername(fd_, reinterpret_cast<sockaddr*>(&a), &len) == 0)
      std::tie(ip, port) = address(a);
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    sockaddr_storage a{};
    socklen_t len = sizeof a;
    if (::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) == 0)
      std::tie(ip, port) = address(a);
  }
  socket_t socket() const override { return fd_; }

 private:
  ssize_t recv(char* p, size_t n) {
    ssize_t r;
    do {
      r = ::recv(fd_, p, n, 0);
    } while (r < 0 && errno == EINTR);
    return r;
  }

  int fd_;
  const HttpLimits& limits_;
  std::array<char, 16 << 10> buf_{};
  size_t off_ = 0, len_ = 0;
  Clock::time_point started_{};
  Clock::time_point deadline_{};
  bool in_headers_ = false;
  mutable bool missed_ = false;
  bool close_ = false;
};

// The connection this thread is serving (for close_after_response).
thread_local Connection* current_connection = nullptr;

}  // namespace

HttpServer::HttpServer(HttpLimits limits) : limits_(limits) {
  size_t threads = limits_.threads;
  new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  // SO_REUSEADDR (restart while old connections linger in TIME_WAIT) but not
  // httplib's SO_REUSEPORT, which lets another process bind the same port.
  set_socket_options([](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  set_read_timeout(limits_.read_timeout.count(), 0);
  set_write_timeout(limits_.write_timeout.count(), 0);
}

HttpServer::~HttpServer() {
  stop_serving();
}

uint16_t HttpServer::bind_port(const std::string& host, uint16_t port, const std::string& what,
                               const std::string& port_option) {
  errno = 0;
  int p = port == 0 ? bind_to_any_port(host) : (bind_to_port(host, port) ? port : -1);
  if (p <= 0) {
    int err = errno;
    std::string where = host + ":" + std::to_string(port);
    if (err == EADDRINUSE)
      throw std::runtime_error(what + ": cannot listen on " + where +
                               ": the address is in use (another node or program has the port; "
                               "choose another with " +
                               port_option + ")");
    throw std::runtime_error(what + ": cannot listen on " + where +
                             (err ? std::string(": ") + std::strerror(err) : std::string()));
  }
  bound_ = true;
  return static_cast<uint16_t>(p);
}

void HttpServer::serve_in_background() {
  if (!bound_) throw std::logic_error("http server: serving before bind_port()");
  thread_ = std::thread([this] {
    listen_after_bind();
    listening_done_ = true;
  });
  // httplib's stop() does nothing until the listen loop runs: a stop right
  // after start (a SIGTERM at start-up) would leave it accepting for ever.
  while (!is_running() && !listening_done_)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

void HttpServer::stop_serving() {
  stop();
  if (thread_.joinable()) thread_.join();
}

void HttpServer::close_after_response() {
  if (current_connection) current_connection->request_close();
}

std::chrono::steady_clock::time_point HttpServer::request_started() {
  return current_connection ? current_connection->started() : Clock::now();
}

bool HttpServer::process_and_close_socket(socket_t sock) {
  Connection conn(sock, limits_);
  current_connection = &conn;
  struct Reset {
    ~Reset() { current_connection = nullptr; }
  } reset;
  bool ok = false;
  auto keep_alive = std::chrono::seconds(keep_alive_timeout_sec_);
  for (size_t left = keep_alive_max_count_; left > 0 && svr_sock_ != INVALID_SOCKET; --left) {
    // Wait for the next request in slices, so that stop() is not held up.
    auto idle_end = Clock::now() + keep_alive;
    bool readable = false;
    while (!readable && svr_sock_ != INVALID_SOCKET && Clock::now() < idle_end)
      readable = wait_for(sock, POLLIN, milliseconds(100));
    if (!readable) break;
    conn.start_request();
    bool closed = false;
    try {
      ok = process_request(conn, left == 1, closed, [&conn](httplib::Request& req) {
        conn.headers_done();
        req.ranges.clear();  // the routes apply Range themselves (byte_range.h)
      });
    } catch (const std::exception& e) {
      spdlog::warn("api: response cut short: {}", e.what());
      ok = false;
    } catch (...) {
      spdlog::warn("api: response cut short by an unknown exception");
      ok = false;
    }
    if (!ok || closed || conn.close_requested() || conn.deadline_missed()) break;
  }
  return ok;
}

}  // namespace codex::agent
