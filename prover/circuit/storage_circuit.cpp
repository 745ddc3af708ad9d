#include "prover/circuit/storage_circuit.h"

#include <span>
#include <string>

#include "prover/circuit/bits_gadget.h"
#include "prover/circuit/merkle_gadget.h"
#include "prover/circuit/poseidon2_gadget.h"
#include "prover/error.h"

namespace codex::prover::circuit {
namespace {

using LC = LinearCombination;

std::string str(uint64_t x) {
  return std::to_string(x);
}

// Inputs are checked against the statement only for a real build; a shape
// build runs the same code on an all-zero input.
struct Builder {
  const StorageParams& p;
  const slots::ProofInput& in;
  bool check;
  CircuitBuilder& cb;
  const LC one = LC::constant(Fr::one());

  void fail(const std::string& what) const { throw InvalidInput("storage circuit: " + what); }

  void check_shapes() const {
    const size_t n = p.n_samples, e = p.n_field_elems_per_cell, d = p.max_depth;
    auto size_is = [&](const char* key, size_t got, size_t want) {
      if (got != want) {
        fail(std::string(key) + " has " + str(got) + " entries, the circuit needs " + str(want));
      }
    };
    size_is("slotProof", in.slot_proof.size(), p.max_log2_nslots);
    size_is("cellData", in.cell_data.size(), n);
    size_is("merklePaths", in.merkle_paths.size(), n);
    for (size_t s = 0; s < n; ++s) {
      size_is(("cellData[" + str(s) + "]").c_str(), in.cell_data[s].size(), e);
      size_is(("merklePaths[" + str(s) + "]").c_str(), in.merkle_paths[s].size(), d);
    }
  }

  // Suffix-OR masks: mask[i] = 1 iff some bit j ≥ i is set, for i ≥ 1;
  // mask[0] is unused by root_from_merkle_path (forced to 1) and mask[L] = 0.
  std::vector<LC> suffix_or_mask(const std::vector<Wire>& bits) {
    const size_t l = bits.size();
    std::vector<LC> mask(l + 1);
    mask[0] = one;
    if (l >= 2) {
      mask[l - 1] = LC(bits[l - 1]);
      for (size_t i = l - 1; i-- > 1;) {
        // a ∨ b = a + b − a·b
        mask[i] = mask[i + 1] + LC(bits[i]) - LC(cb.mul(mask[i + 1], LC(bits[i])));
      }
    }
    return mask;
  }

  // Log2 of nCellsPerSlot: mask bits m_0..m_D with m_0 = 1 and m_D = 0
  // constants, m_i·(m_i − m_{i−1}) = 0 (so each m_i is 0 or m_{i−1}: boolean
  // and non-increasing), and nCells = Σ (m_i − m_{i+1})·2^{i+1}, i.e. 2^k for
  // the k with m_{k−1} = 1, m_k = 0. D constraints.
  std::vector<LC> log2_mask(Wire n_cells) {
    const size_t d = p.max_depth;
    const uint64_t v = in.n_cells_per_slot;
    size_t k = 0;
    if (check) {
      const bool pow2 = v >= 2 && (v & (v - 1)) == 0;
      while (k < 64 && (uint64_t(1) << k) < v)
        ++k;
      if (!pow2 || k > d) {
        fail("nCellsPerSlot " + str(v) + " is not a power of two 2^k with 1 <= k <= " + str(d) +
             " (maxDepth)");
      }
    }
    std::vector<LC> mask(d + 1);
    mask[0] = one;
    for (size_t i = 1; i < d; ++i) {
      Wire m = cb.add_private(i < k ? Fr::one() : Fr::zero());
      cb.add_constraint({LC(m), LC(m) - mask[i - 1], LC()});
      mask[i] = LC(m);
    }
    LC sum;
    Fr pow = Fr::from_u64(2);
    for (size_t i = 0; i < d; ++i) {
      sum += pow * (mask[i] - mask[i + 1]);
      pow = pow + pow;
    }
    cb.add_constraint({sum - LC(n_cells), one, LC()});
    return mask;
  }

  void run(StorageCircuit& out) {
    const size_t l = p.max_log2_nslots, d = p.max_depth, b = p.block_tree_depth;
    const size_t n = p.n_samples, e = p.n_field_elems_per_cell;
    if (check) check_shapes();

    // Wires in §3.2 order.
    const Wire entropy = cb.add_public(in.entropy);
    const Wire dataset_root = cb.add_public(in.dataset_root);
    const Wire slot_index = cb.add_public(Fr::from_u64(in.slot_index));
    const Wire slot_root = cb.add_private(in.slot_root);
    const Wire n_cells = cb.add_private(Fr::from_u64(in.n_cells_per_slot));
    const Wire n_slots = cb.add_private(Fr::from_u64(in.n_slots_per_dataset));
    std::vector<LC> slot_proof(l);
    for (size_t i = 0; i < l; ++i)
      slot_proof[i] = LC(cb.add_private(in.slot_proof[i]));
    std::vector<std::vector<LC>> cells(n, std::vector<LC>(e));
    for (size_t s = 0; s < n; ++s) {
      for (size_t j = 0; j < e; ++j)
        cells[s][j] = LC(cb.add_private(in.cell_data[s][j]));
    }
    std::vector<std::vector<LC>> paths(n, std::vector<LC>(d));
    for (size_t s = 0; s < n; ++s) {
      for (size_t j = 0; j < d; ++j)
        paths[s][j] = LC(cb.add_private(in.merkle_paths[s][j]));
    }

    // 1. The slot root in the dataset tree.
    if (check) {
      if (l < 64 && in.slot_index >> l != 0) {
        fail("slotIndex " + str(in.slot_index) + " does not fit in " + str(l) +
             " bits (maxLog2NSlots)");
      }
      if (in.n_slots_per_dataset == 0 || (l < 64 && in.n_slots_per_dataset > uint64_t(1) << l)) {
        fail("nSlotsPerDataSet " + str(in.n_slots_per_dataset) + " is not in 1.." +
             str(uint64_t(1) << l) + " (2^maxLog2NSlots)");
      }
    }
    const std::vector<Wire> index_bits = to_bits(cb, LC(slot_index), l);
    const std::vector<Wire> last_bits = to_bits(cb, LC(n_slots) - one, l);
    const std::vector<LC> slot_mask = suffix_or_mask(last_bits);
    const std::vector<LC> index_lc(index_bits.begin(), index_bits.end());
    const std::vector<LC> last_lc(last_bits.begin(), last_bits.end());
    LC top = root_from_merkle_path(cb, LC(slot_root), index_lc, last_lc, slot_mask, slot_proof);
    if (check && cb.value(top) != in.dataset_root) {
      fail("slotProof does not lead from slotRoot (slot " + str(in.slot_index) + " of " +
           str(in.n_slots_per_dataset) + ") to dataSetRoot");
    }
    cb.add_constraint({top - LC(dataset_root), one, LC()});

    // 2. nCellsPerSlot = 2^k; the mask doubles as the bits of nCells − 1.
    const std::vector<LC> mask = log2_mask(n_cells);
    const std::span<const LC> mask_span(mask);

    // 3. The samples.
    for (size_t s = 0; s < n; ++s) {
      const uint64_t counter = s + 1;
      const LC seed[3] = {LC(entropy), LC(slot_root), LC::constant(Fr::from_u64(counter))};
      const LC h = sponge2_gadget(cb, seed);
      const std::vector<Wire> h_bits = to_bits(cb, h, kFrBits);
      std::vector<LC> idx(d);
      uint64_t cell = 0;
      for (size_t i = 0; i < d; ++i) {
        idx[i] = i == 0 ? LC(h_bits[0]) : LC(cb.mul(LC(h_bits[i]), mask[i]));
        if (cb.value(idx[i]).is_one()) cell |= uint64_t(1) << i;
      }
      if (check) out.cell_indices.push_back(cell);

      const LC leaf = sponge2_gadget(cb, cells[s]);
      const std::span<const LC> idx_span(idx);
      const std::span<const LC> path_span(paths[s]);
      // Block tree: levels 0..b−1, its own top mask bit forced to 0.
      std::vector<LC> bottom_mask(mask.begin(), mask.begin() + b);
      bottom_mask.emplace_back();
      const LC block_root = root_from_merkle_path(cb, leaf, idx_span.first(b), mask_span.first(b),
                                                  bottom_mask, path_span.first(b));
      // Slot tree: levels b..d−1 (mask[d] = 0).
      const LC root =
          root_from_merkle_path(cb, block_root, idx_span.subspan(b), mask_span.subspan(b, d - b),
                                mask_span.subspan(b), path_span.subspan(b));
      if (check && cb.value(root) != in.slot_root) {
        fail("sample " + str(counter) + " (cell " + str(cell) +
             "): cellData and Merkle path do not lead to slotRoot");
      }
      cb.add_constraint({root - LC(slot_root), one, LC()});
    }
  }
};

// The constraint count of the construction above (for reserving memory).
size_t expected_constraints(const StorageParams& p) {
  const size_t l = p.max_log2_nslots, d = p.max_depth;
  const size_t fixed = (l + 1) * 2 + (l >= 2 ? l - 2 : 0) + 245 * l - 1 + 1 + d;
  const size_t per_sample =
      480 + 509 + (d - 1) + 240 * (p.n_field_elems_per_cell / 2 + 1) + 245 * d - 2 + 1;
  return fixed + per_sample * p.n_samples;
}

}  // namespace

void StorageParams::validate() const {
  auto bad = [](const std::string& what) {
    throw InvalidInput("storage circuit parameters: " + what);
  };
  if (max_depth < 2 || max_depth > 63) bad("maxDepth " + str(max_depth) + " not in 2..63");
  if (block_tree_depth < 1 || block_tree_depth >= max_depth) {
    bad("blockTreeDepth " + str(block_tree_depth) + " not in 1..maxDepth-1 (" + str(max_depth - 1) +
        ")");
  }
  if (max_log2_nslots < 1 || max_log2_nslots > 32) {
    bad("maxLog2NSlots " + str(max_log2_nslots) + " not in 1..32");
  }
  if (n_field_elems_per_cell < 1) bad("nFieldElemsPerCell must be at least 1");
  if (n_samples < 1 || n_samples > 65536) bad("nSamples " + str(n_samples) + " not in 1..65536");
}

size_t StorageParams::num_private_inputs() const {
  return 3 + size_t(max_log2_nslots) + size_t(n_samples) * n_field_elems_per_cell +
         size_t(n_samples) * max_depth;
}

slots::CircuitShape StorageParams::shape() const {
  return {max_depth, max_log2_nslots, n_field_elems_per_cell, n_samples};
}

StorageCircuit build_storage_circuit(const StorageParams& params, const slots::ProofInput& input,
                                     CircuitBuilder::Mode mode) {
  params.validate();
  StorageCircuit out{CircuitBuilder(mode), {}};
  const size_t nc = expected_constraints(params);
  out.cb.reserve(nc + params.num_private_inputs() + 4, nc);
  Builder{params, input, true, out.cb}.run(out);
  return out;
}

CircuitBuilder build_storage_shape(const StorageParams& params) {
  params.validate();
  slots::ProofInput zero;
  zero.slot_proof.resize(params.max_log2_nslots);
  zero.cell_data.assign(params.n_samples, std::vector<Fr>(params.n_field_elems_per_cell));
  zero.merkle_paths.assign(params.n_samples, std::vector<Fr>(params.max_depth));
  StorageCircuit out{CircuitBuilder(), {}};
  const size_t nc = expected_constraints(params);
  out.cb.reserve(nc + params.num_private_inputs() + 4, nc);
  Builder{params, zero, false, out.cb}.run(out);
  return std::move(out.cb);
}

}  // namespace codex::prover::circuit
