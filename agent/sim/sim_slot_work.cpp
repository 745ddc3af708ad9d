#include "agent/sim/sim_slot_work.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "agent/eth/keccak.h"

#include "prover/circuit/storage_circuit.h"

namespace codex::sim {

namespace {
// The contract's test verifier accepts any proof but the all-zero one.
const market::Groth16Proof kAcceptedProof{
    {eth::Uint256(1), eth::Uint256(2)},
    {{eth::Uint256(3), eth::Uint256(4)}, {eth::Uint256(5), eth::Uint256(6)}},
    {eth::Uint256(7), eth::Uint256(8)}};

// The network's blocks (a manifest's default block size): a repair decodes
// a slot row by row, one block of each of K slots per row.
constexpr uint64_t kBlockSize = 65536;

// Bytes a provider downloads for a slot: the slot from the client, or K
// slots' worth from the other hosts to decode it.
uint64_t transfer_bytes(const market::Request& request, bool repairing) {
  const uint64_t k = request.ask.slots - request.ask.max_slot_loss;
  return repairing ? k * request.ask.slot_size : request.ask.slot_size;
}

// A draw in [0, 1) fixed by `bytes`.
double unit_draw(const std::vector<uint8_t>& bytes) {
  const auto h = eth::keccak256(bytes);
  uint64_t bits = 0;
  for (int i = 0; i < 8; ++i)
    bits = bits << 8 | h[size_t(i)];
  return double(bits >> 11) * 0x1.0p-53;
}

}  // namespace

double repair_chance(const std::vector<double>& sources, uint64_t k, uint64_t rows) {
  if (k == 0) return 1;
  // held[j]: the chance that exactly j of the sources so far hold a row's
  // block; held[k]: k or more.
  std::vector<double> held(k + 1, 0);
  held[0] = 1;
  for (double q : sources) {
    q = std::clamp(q, 0.0, 1.0);
    held[k] += held[k - 1] * q;
    for (uint64_t j = k - 1; j > 0; --j)
      held[j] = held[j] * (1 - q) + held[j - 1] * q;
    held[0] *= 1 - q;
  }
  return std::pow(held[k], double(rows));
}

SimSlotWork::SimSlotWork(uint64_t salt, SlotWorkFaults faults, SlotSources sources, SimLink link)
    : salt_(salt), faults_(faults), sources_(std::move(sources)), link_(std::move(link)) {}

std::optional<uint64_t> SimSlotWork::data_ready_at(const market::Request& request,
                                                   uint64_t slot_index, bool repairing,
                                                   uint64_t now) {
  if (link_.bandwidth <= 0) return std::nullopt;
  auto [it, fresh] = arriving_.try_emplace({market::request_id(request), slot_index}, 0);
  if (fresh) {
    const double seconds =
        link_.latency + double(transfer_bytes(request, repairing)) / link_.bandwidth;
    it->second = now + uint64_t(std::ceil(seconds));
  }
  return it->second;
}

uint64_t SimSlotWork::samples_per_proof() {
  return prover::circuit::StorageParams{}.n_samples;
}

void SimSlotWork::store(const market::Request& request, uint64_t slot_index, bool repairing,
                        const std::function<void(uint64_t)>& stored) {
  const market::RequestId id = market::request_id(request);
  arriving_.erase({id, slot_index});
  const std::vector<double> sources = sources_(request, slot_index);
  if (repairing) {
    const uint64_t k = request.ask.slots - request.ask.max_slot_loss;
    const uint64_t rows = (request.ask.slot_size + kBlockSize - 1) / kBlockSize;
    if (sources.size() < k)
      throw std::runtime_error("repair: " + std::to_string(sources.size()) + " of the " +
                               std::to_string(k) + " slots needed to decode are reachable");
    // Which blocks the hosts lost is the same for every repairer, so is the
    // draw; more or sounder sources can only turn a failure into a success.
    std::vector<uint8_t> key(id.begin(), id.end());
    const std::string tail = std::to_string(slot_index) + "/repair";
    key.insert(key.end(), tail.begin(), tail.end());
    if (unit_draw(key) >= repair_chance(sources, k, rows))
      throw std::runtime_error("repair: some row of blocks has fewer than " + std::to_string(k) +
                               " intact among the " + std::to_string(sources.size()) +
                               " hosts reachable (they dropped or corrupted blocks)");
  } else if (sources.empty()) {
    throw std::runtime_error("the client is cut off from this provider (a partition)");
  }
  if (link_.moved) link_.moved(transfer_bytes(request, repairing));
  stored(request.ask.slot_size);
}

// A draw in [0, 1) fixed by the challenge: proving again for the same
// challenge samples the same cells (and takes as long), so a retry inside the
// period changes nothing.
double SimSlotWork::draw(const market::Request& request, uint64_t slot_index,
                         const market::Hash& challenge, std::string_view what) const {
  std::vector<uint8_t> buf(challenge.begin(), challenge.end());
  const market::RequestId id = market::request_id(request);
  buf.insert(buf.end(), id.begin(), id.end());
  const std::string tail =
      std::to_string(slot_index) + "/" + std::to_string(salt_) + "/" + std::string(what);
  buf.insert(buf.end(), tail.begin(), tail.end());
  return unit_draw(buf);
}

market::Groth16Proof SimSlotWork::prove(const market::Request& request, uint64_t slot_index,
                                        const market::Hash& challenge) {
  if (faults_.miss_chance > 0 && draw(request, slot_index, challenge, "slow") < faults_.miss_chance)
    throw std::runtime_error("the proof was not ready before the deadline (slow prover)");
  // A dropper keeps the whole slot until it has filled it (the fill's proof
  // is honest), then drops part of it to save room.
  const bool filled = !proved_.insert({market::request_id(request), slot_index}).second;
  if (faults_.dropped_fraction > 0 && filled) {
    const double caught = 1 - std::pow(1 - faults_.dropped_fraction, double(samples_per_proof()));
    if (draw(request, slot_index, challenge, "cells") < caught)
      return market::Groth16Proof{};  // a sampled cell is missing: the verifier rejects it
  }
  return kAcceptedProof;
}

}  // namespace codex::sim
