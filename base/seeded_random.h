#pragma once
// The simulations' one source of randomness (agent/sim, agent/durability):
// every draw comes from the seed through this object, so a run is a pure
// function of its options. The distributions are written out here rather than
// taken from <random>, whose algorithms differ between standard libraries (the
// same seed must give the same event log on every machine); mt19937_64's
// output is fixed by the standard.
#include <cmath>
#include <cstdint>
#include <random>

namespace codex::base {

class SeededRandom {
 public:
  explicit SeededRandom(uint64_t seed) : engine_(seed) {}

  // Uniform in [0, 1) with 53 random bits.
  double uniform() { return double(engine_() >> 11) * 0x1.0p-53; }
  // Exponential with the given mean (mean <= 0: never, i.e. infinity).
  double exponential(double mean) { return mean > 0 ? -mean * std::log1p(-uniform()) : INFINITY; }
  bool chance(double p) { return uniform() < p; }
  // Uniform integer in [0, n) (n > 0); the bias of the modulo is below 2^-40
  // for every n a simulation uses.
  uint64_t below(uint64_t n) { return engine_() % n; }
  uint64_t between(uint64_t lo, uint64_t hi) { return lo + below(hi - lo + 1); }
  // A seed for a component (a provider's slot order, …).
  uint64_t next() { return engine_(); }

 private:
  std::mt19937_64 engine_;
};

}  // namespace codex::base
