// A loopback HTTP proxy in front of a JSON-RPC node that injects faults: delays,
// dropped connections, garbage replies, HTTP errors and canned JSON-RPC error
// objects (to reproduce other nodes' revert shapes). One fault is consumed per
// incoming request, in queue order; with an empty queue requests pass through.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <deque>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

namespace codex::test {

struct Fault {
  enum class Kind { Pass, Delay, Drop, Garbage, Http500, Error } kind = Kind::Pass;
  std::chrono::milliseconds delay{0};
  nlohmann::json error;  // for Kind::Error: the "error" member to answer with
  static Fault pass() { return {}; }
  static Fault delayed(std::chrono::milliseconds d) { return {Kind::Delay, d, {}}; }
  static Fault drop() { return {Kind::Drop, {}, {}}; }
  static Fault garbage() { return {Kind::Garbage, {}, {}}; }
  static Fault http500() { return {Kind::Http500, {}, {}}; }
  static Fault error_reply(nlohmann::json e) { return {Kind::Error, {}, std::move(e)}; }
};

class FaultProxy {
 public:
  explicit FaultProxy(int upstream_port) : upstream_port_(upstream_port) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
        ::listen(listen_fd_, 16) != 0 ||
        ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len) != 0)
      throw std::runtime_error("fault proxy: cannot listen");
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { run(); });
  }
  ~FaultProxy() {
    stop_ = true;
    thread_.join();
    for (auto& w : workers_)
      w.join();
    ::close(listen_fd_);
  }
  FaultProxy(const FaultProxy&) = delete;
  FaultProxy& operator=(const FaultProxy&) = delete;

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  void push(Fault f) {
    std::lock_guard l(mu_);
    faults_.push_back(std::move(f));
  }
  int requests() const { return requests_; }

 private:
  static bool read_request(int fd, std::string& body) {
    std::string buf;
    char tmp[65536];
    size_t header_end = std::string::npos, content_length = 0;
    for (;;) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 5000) <= 0) return false;
      ssize_t n = ::recv(fd, tmp, sizeof tmp, 0);
      if (n <= 0) return false;
      buf.append(tmp, static_cast<size_t>(n));
      if (header_end == std::string::npos &&
          (header_end = buf.find("\r\n\r\n")) != std::string::npos) {
        std::string head = buf.substr(0, header_end);
        for (auto& c : head)
          c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        auto pos = head.find("content-length:");
        if (pos == std::string::npos) return false;
        content_length = std::stoul(head.substr(pos + 15));
      }
      if (header_end != std::string::npos && buf.size() >= header_end + 4 + content_length) {
        body = buf.substr(header_end + 4, content_length);
        return true;
      }
    }
  }

  static void write_all(int fd, const std::string& s) {
    size_t off = 0;
    while (off < s.size()) {
      ssize_t n = ::send(fd, s.data() + off, s.size() - off, MSG_NOSIGNAL);
      if (n <= 0) return;
      off += static_cast<size_t>(n);
    }
  }

  static void reply(int fd, int status, const std::string& body) {
    write_all(fd, "HTTP/1.1 " + std::to_string(status) + (status == 200 ? " OK" : " Error") +
                      "\r\nContent-Type: application/json\r\nContent-Length: " +
                      std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
  }

  // Forwards `body` upstream; returns (status, body) or status 0 on failure.
  std::pair<int, std::string> forward(const std::string& body) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(static_cast<uint16_t>(upstream_port_));
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
      ::close(fd);
      return {0, ""};
    }
    write_all(
        fd,
        "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: " +
            std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
    std::string resp;
    char tmp[65536];
    ssize_t n;
    while ((n = ::recv(fd, tmp, sizeof tmp, 0)) > 0)
      resp.append(tmp, static_cast<size_t>(n));
    ::close(fd);
    auto he = resp.find("\r\n\r\n");
    if (he == std::string::npos || resp.size() < 12) return {0, ""};
    int status = std::stoi(resp.substr(9, 3));
    std::string head = resp.substr(0, he);
    std::string rest = resp.substr(he + 4);
    for (auto& c : head)
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (head.find("transfer-encoding: chunked") != std::string::npos) {
      std::string out;
      size_t pos = 0;
      for (;;) {
        size_t eol = rest.find("\r\n", pos);
        if (eol == std::string::npos) break;
        size_t len = std::stoul(rest.substr(pos, eol - pos), nullptr, 16);
        if (len == 0) break;
        out += rest.substr(eol + 2, len);
        pos = eol + 2 + len + 2;
      }
      rest = out;
    }
    return {status, rest};
  }

  void handle(int fd) {
    std::string body;
    if (!read_request(fd, body)) return;
    ++requests_;
    Fault f;
    {
      std::lock_guard l(mu_);
      if (!faults_.empty()) {
        f = faults_.front();
        faults_.pop_front();
      }
    }
    switch (f.kind) {
      case Fault::Kind::Drop:
        return;
      case Fault::Kind::Garbage:
        reply(fd, 200, "this is not json {");
        return;
      case Fault::Kind::Http500:
        reply(fd, 500, "internal error");
        return;
      case Fault::Kind::Error: {
        auto req = nlohmann::json::parse(body, nullptr, false);
        nlohmann::json id =
            req.is_object() && req.contains("id") ? req["id"] : nlohmann::json(nullptr);
        reply(fd, 200, nlohmann::json{{"jsonrpc", "2.0"}, {"id", id}, {"error", f.error}}.dump());
        return;
      }
      case Fault::Kind::Delay:
        std::this_thread::sleep_for(f.delay);
        break;
      case Fault::Kind::Pass:
        break;
    }
    auto [status, resp] = forward(body);
    if (status == 0) return;
    reply(fd, status, resp);
  }

  void run() {
    while (!stop_) {
      pollfd p{listen_fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      int fd = ::accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) continue;
      // One thread per connection, so a delayed request does not hold up the retry.
      workers_.emplace_back([this, fd] {
        handle(fd);
        ::close(fd);
      });
    }
  }

  int upstream_port_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> requests_{0};
  std::mutex mu_;
  std::deque<Fault> faults_;
  std::vector<std::thread> workers_;  // touched only by the accept thread and the destructor
  std::thread thread_;
};

}  // namespace codex::test
