// The noise secure channel: the ceiling it puts on every transfer and what a
// connection costs to set up.
//
// - BM_NoiseTransportCipher: one core encrypting and decrypting full
//   65519-byte frames (ChaCha20-Poly1305, libsodium). bytes_per_second counts
//   each plaintext byte once, so it is the rate one core sustains as sender
//   and receiver at once (GB/s per core); "seal_GBps"/"open_GBps" split it.
//   BM_OpenSslChaChaPolyReference measures OpenSSL's implementation likewise.
// - BM_NoiseStream: the same through NoiseStream over a Unix socket pair, both
//   ends on one thread (framing, copies and system calls included).
// - BM_NoiseHandshake: full libp2p handshakes over a socket pair, both sides
//   on one thread (X25519 key generation and DH, secp256k1 signatures and
//   their verification, peer ids): handshakes per second of one core.
#include <benchmark/benchmark.h>
#include <openssl/evp.h>
#include <stdlib.h>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "exchange/net/node_key.h"
#include "exchange/net/noise/cipher_state.h"
#include "exchange/net/noise/noise_stream.h"
#include "exchange/net/noise/noise_upgrade.h"
#include "exchange/net/socket_stream.h"

namespace {

using namespace codex::net;
using codex::net::noise::CipherState;
using codex::net::noise::kMaxFramePlaintext;

double thread_cpu_seconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + 1e-9 * double(ts.tv_nsec);
}

void BM_NoiseTransportCipher(benchmark::State& state) {
  std::array<uint8_t, 32> key{};
  key[0] = 7;
  CipherState sender, receiver;
  sender.initialize_key(key);
  receiver.initialize_key(key);
  std::vector<uint8_t> plain(kMaxFramePlaintext, 0x5a), wire(kMaxFramePlaintext + 16),
      back(kMaxFramePlaintext);
  double seal = 0, open = 0;
  for (auto _ : state) {
    const double t0 = thread_cpu_seconds();
    const size_t n = sender.encrypt_with_ad({}, plain, wire.data());
    const double t1 = thread_cpu_seconds();
    receiver.decrypt_with_ad({}, std::span(wire.data(), n), back.data());
    const double t2 = thread_cpu_seconds();
    seal += t1 - t0;
    open += t2 - t1;
    benchmark::DoNotOptimize(back.data());
  }
  const double bytes = double(state.iterations()) * double(kMaxFramePlaintext);
  state.SetBytesProcessed(int64_t(bytes));
  state.counters["seal_GBps"] = bytes / seal / 1e9;
  state.counters["open_GBps"] = bytes / open / 1e9;
}
BENCHMARK(BM_NoiseTransportCipher)->MinTime(1.0);

// For comparison only: the same frames with OpenSSL's ChaCha20-Poly1305 (EVP),
// the alternative if the libsodium cipher ever becomes the ceiling.
void BM_OpenSslChaChaPolyReference(benchmark::State& state) {
  std::array<uint8_t, 32> key{};
  key[0] = 7;
  uint8_t nonce[12] = {};
  std::vector<uint8_t> plain(kMaxFramePlaintext, 0x5a), wire(kMaxFramePlaintext),
      back(kMaxFramePlaintext);
  uint8_t tag[16];
  EVP_CIPHER_CTX* enc = EVP_CIPHER_CTX_new();
  EVP_CIPHER_CTX* dec = EVP_CIPHER_CTX_new();
  double seal = 0, open = 0;
  for (auto _ : state) {
    int len = 0;
    const double t0 = thread_cpu_seconds();
    EVP_EncryptInit_ex(enc, EVP_chacha20_poly1305(), nullptr, key.data(), nonce);
    EVP_EncryptUpdate(enc, wire.data(), &len, plain.data(), int(plain.size()));
    EVP_EncryptFinal_ex(enc, wire.data() + len, &len);
    EVP_CIPHER_CTX_ctrl(enc, EVP_CTRL_AEAD_GET_TAG, 16, tag);
    const double t1 = thread_cpu_seconds();
    EVP_DecryptInit_ex(dec, EVP_chacha20_poly1305(), nullptr, key.data(), nonce);
    EVP_DecryptUpdate(dec, back.data(), &len, wire.data(), int(wire.size()));
    EVP_CIPHER_CTX_ctrl(dec, EVP_CTRL_AEAD_SET_TAG, 16, tag);
    if (EVP_DecryptFinal_ex(dec, back.data() + len, &len) != 1) state.SkipWithError("bad tag");
    const double t2 = thread_cpu_seconds();
    seal += t1 - t0;
    open += t2 - t1;
    ++nonce[4];
    benchmark::DoNotOptimize(back.data());
  }
  EVP_CIPHER_CTX_free(enc);
  EVP_CIPHER_CTX_free(dec);
  const double bytes = double(state.iterations()) * double(kMaxFramePlaintext);
  state.SetBytesProcessed(int64_t(bytes));
  state.counters["seal_GBps"] = bytes / seal / 1e9;
  state.counters["open_GBps"] = bytes / open / 1e9;
}
BENCHMARK(BM_OpenSslChaChaPolyReference)->MinTime(1.0);

struct Keys {
  Keys() {
    std::string tmpl =
        (std::filesystem::temp_directory_path() / "codex-noise-bench.XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    dir = tmpl;
  }
  ~Keys() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  std::filesystem::path dir;
  NodeKey a = NodeKey::load_or_create(dir / "a.key");
  NodeKey b = NodeKey::load_or_create(dir / "b.key");
};

Keys& keys() {
  static Keys k;
  return k;
}

constexpr auto kTimeout = std::chrono::milliseconds(10000);

void BM_NoiseHandshake(benchmark::State& state) {
  Keys& k = keys();
  asio::io_context io;
  for (auto _ : state) {
    auto [a, b] = local_stream_pair(io.get_executor());
    int done = 0;
    asio::co_spawn(
        io,
        [](std::unique_ptr<Stream> raw, const NodeKey& key, PeerId expected,
           int& done) -> asio::awaitable<void> {
          auto conn = co_await noise_outbound(std::move(raw), key, expected, kTimeout);
          ++done;
        }(std::move(a), k.a, k.b.id(), done),
        asio::detached);
    asio::co_spawn(
        io,
        [](std::unique_ptr<Stream> raw, const NodeKey& key, int& done) -> asio::awaitable<void> {
          auto conn = co_await noise_inbound(std::move(raw), key, kTimeout);
          ++done;
        }(std::move(b), k.b, done),
        asio::detached);
    io.restart();
    io.run();
    if (done != 2) state.SkipWithError("handshake failed");
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_NoiseHandshake)->Unit(benchmark::kMicrosecond)->MinTime(1.0);

void BM_NoiseStream(benchmark::State& state) {
  Keys& k = keys();
  asio::io_context io;
  auto [a, b] = local_stream_pair(io.get_executor());
  std::unique_ptr<Stream> sa, sb;
  asio::co_spawn(
      io,
      [](std::unique_ptr<Stream> raw, const NodeKey& key,
         std::unique_ptr<Stream>& out) -> asio::awaitable<void> {
        out = (co_await noise_outbound(std::move(raw), key, std::nullopt, kTimeout)).stream;
      }(std::move(a), k.a, sa),
      asio::detached);
  asio::co_spawn(
      io,
      [](std::unique_ptr<Stream> raw, const NodeKey& key,
         std::unique_ptr<Stream>& out) -> asio::awaitable<void> {
        out = (co_await noise_inbound(std::move(raw), key, kTimeout)).stream;
      }(std::move(b), k.b, sb),
      asio::detached);
  io.run();
  if (!sa || !sb) {
    state.SkipWithError("handshake failed");
    return;
  }
  const size_t chunk = size_t(state.range(0));
  const std::vector<uint8_t> data(chunk, 0x5a);
  std::vector<uint8_t> buf(1 << 20);
  // About 8 MiB per iteration, in `chunk`-byte writes, read concurrently.
  const size_t total = ((8 << 20) / chunk) * chunk;
  for (auto _ : state) {
    asio::co_spawn(
        io,
        [](Stream& s, const std::vector<uint8_t>& data, size_t total) -> asio::awaitable<void> {
          for (size_t sent = 0; sent < total; sent += data.size())
            co_await s.write(data);
        }(*sa, data, total),
        asio::detached);
    asio::co_spawn(
        io,
        [](Stream& s, std::vector<uint8_t>& buf, size_t total) -> asio::awaitable<void> {
          for (size_t got = 0; got < total;) {
            const size_t n = co_await s.read_some(buf);
            if (n == 0) throw std::runtime_error("stream ended early");
            got += n;
          }
        }(*sb, buf, total),
        asio::detached);
    io.restart();
    io.run();
  }
  state.SetBytesProcessed(int64_t(state.iterations() * total));
}
BENCHMARK(BM_NoiseStream)->Arg(65519)->Arg(1 << 20)->Unit(benchmark::kMillisecond)->MinTime(1.0);

}  // namespace
