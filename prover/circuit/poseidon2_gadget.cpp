#include "prover/circuit/poseidon2_gadget.h"

#include <vector>

#include "prover/poseidon2/constants.h"

namespace codex::prover::circuit {
namespace {

using LC = LinearCombination;

// M_E: out_i = x_i + (x0 + x1 + x2).
void external_matrix(LcState& s) {
  LC sum = s[0] + s[1] + s[2];
  for (auto& x : s)
    x += sum;
}

void full_round(CircuitBuilder& cb, LcState& s, const std::array<Fr, 3>& rc) {
  for (size_t i = 0; i < 3; ++i)
    s[i] = LC(sbox_gadget(cb, s[i] + LC::constant(rc[i])));
  external_matrix(s);
}

// a·x + b·y in one merge pass (terms come out in wire order, so each add
// appends).
LC combine(const Fr& a, const LC& x, const Fr& b, const LC& y) {
  LC out;
  const auto& xt = x.terms();
  const auto& yt = y.terms();
  size_t i = 0, j = 0;
  while (i < xt.size() || j < yt.size()) {
    if (j == yt.size() || (i < xt.size() && xt[i].first < yt[j].first)) {
      out.add(xt[i].first, a * xt[i].second);
      ++i;
    } else if (i == xt.size() || yt[j].first < xt[i].first) {
      out.add(yt[j].first, b * yt[j].second);
      ++j;
    } else {
      out.add(xt[i].first, a * xt[i].second + b * yt[j].second);
      ++i;
      ++j;
    }
  }
  return out;
}

constexpr size_t kInternalRounds = 56;

// With v_j = 2·w_j + x1 + x2 the lanes (x1, x2) before internal round j are
// M^j·(x1, x2)_in + Σ_{i<j} M^{j−1−i}·h·v_i with M = [[3/2, 1/2], [1/2, 5/2]]
// and h = (1/2, 1/2) (from x1' = w + 2·x1 + x2, x2' = w + x1 + 3·x2,
// w = (v − x1 − x2)/2); w_j = v_j/2 − (x1 + x2)/2.
struct InternalLanes {
  Fr half;
  std::array<std::array<Fr, 2>, kInternalRounds> w_in;  // w_j's coefficients of (x1, x2)_in
  std::array<Fr, kInternalRounds> w_v;                  // w_j's coefficient of v_{j−1−k}
  std::array<std::array<Fr, 2>, 2> lanes_out;           // final lanes' coefficients of (x1, x2)_in
  std::array<std::array<Fr, kInternalRounds>, 2> lane_v;  // final lane's coefficient of v_{55−k}
};

const InternalLanes& internal_lanes() {
  static const InternalLanes t = [] {
    InternalLanes r;
    r.half = Fr::from_u64(2).inverse();
    const Fr m[2][2] = {{Fr::from_u64(3) * r.half, r.half}, {r.half, Fr::from_u64(5) * r.half}};
    // p = M^j (row-major), q = M^j·h.
    std::array<Fr, 4> p = {Fr::one(), Fr::zero(), Fr::zero(), Fr::one()};
    std::array<Fr, 2> q = {r.half, r.half};
    for (size_t j = 0; j <= kInternalRounds; ++j) {
      if (j < kInternalRounds) {
        r.w_in[j] = {-r.half * (p[0] + p[2]), -r.half * (p[1] + p[3])};
        r.w_v[j] = -r.half * (q[0] + q[1]);
        r.lane_v[0][j] = q[0];
        r.lane_v[1][j] = q[1];
      } else {
        r.lanes_out = {{{p[0], p[1]}, {p[2], p[3]}}};
      }
      p = {m[0][0] * p[0] + m[0][1] * p[2], m[0][0] * p[1] + m[0][1] * p[3],
           m[1][0] * p[0] + m[1][1] * p[2], m[1][0] * p[1] + m[1][1] * p[3]};
      q = {m[0][0] * q[0] + m[0][1] * q[1], m[1][0] * q[0] + m[1][1] * q[1]};
    }
    return r;
  }();
  return t;
}

}  // namespace

Wire sbox_gadget(CircuitBuilder& cb, const LinearCombination& x) {
  Wire x2 = cb.square(x);
  Wire x4 = cb.square(x2);
  return cb.mul(x4, x);
}

LcState permute_gadget(CircuitBuilder& cb, const LcState& in) {
  const poseidon2::RoundConstants& rc = poseidon2::round_constants();
  LcState s = in;
  external_matrix(s);
  for (const auto& k : rc.initial)
    full_round(cb, s, k);
  // Internal rounds. Lanes 1 and 2 accumulate every earlier S-box output, so
  // their linear combinations grow by a term per round. The S-box input
  // appears in three constraints, so instead of the S-box output w the new
  // wire is the next round's lane 0, v = 2·w + x1 + x2 (w has coefficient 2,
  // so this is only a change of basis): the next input is then v + c, two
  // terms, and the long lanes appear once, in the last constraint's C side
  // x⁴·u = w = (v − x1 − x2)/2. Same constraints and wire count, about a
  // third of the stored terms. The long combinations' coefficients come from
  // a table (InternalLanes), their values are tracked natively, and a
  // witness-only builder does not build them at all.
  const InternalLanes& t = internal_lanes();
  const LC x1_in = s[1], x2_in = s[2];
  Fr x1_val = cb.value(x1_in), x2_val = cb.value(x2_in);
  const bool full = cb.mode() == CircuitBuilder::Mode::kFull;
  std::vector<Wire> v(kInternalRounds);
  for (size_t j = 0; j < kInternalRounds; ++j) {
    const LC u = s[0] + LC::constant(rc.internal[j]);
    const Wire x2 = cb.square(u);
    const Wire x4 = cb.square(x2);
    const Fr w_val = cb.value(LC(x4)) * cb.value(u);
    v[j] = cb.add_private(w_val + w_val + x1_val + x2_val);
    LC w;
    if (full) {
      w = combine(t.w_in[j][0], x1_in, t.w_in[j][1], x2_in);
      for (size_t i = 0; i < j; ++i)
        w.add(v[i], t.w_v[j - 1 - i]);
      w.add(v[j], t.half);
    }
    cb.add_constraint({LC(x4), u, std::move(w)});
    // M_I with x0 = w: (2·w + x1 + x2, w + 2·x1 + x2, w + x1 + 3·x2).
    const Fr x1_next = w_val + x1_val + x1_val + x2_val;
    x2_val = w_val + x1_val + Fr::from_u64(3) * x2_val;
    x1_val = x1_next;
    s[0] = LC(v[j]);
  }
  for (size_t lane = 0; lane < 2; ++lane) {
    const auto& m = t.lanes_out[lane];
    LC x = combine(m[0], x1_in, m[1], x2_in);
    for (size_t i = 0; i < kInternalRounds; ++i)
      x.add(v[i], t.lane_v[lane][kInternalRounds - 1 - i]);
    s[lane + 1] = std::move(x);
  }
  for (const auto& k : rc.final)
    full_round(cb, s, k);
  return s;
}

LinearCombination compress_gadget(CircuitBuilder& cb, const LinearCombination& x,
                                  const LinearCombination& y, uint64_t key) {
  return permute_gadget(cb, {x, y, LC::constant(Fr::from_u64(key))})[0];
}

LinearCombination sponge2_gadget(CircuitBuilder& cb, std::span<const LinearCombination> xs) {
  // Capacity IV 2^64 + 256·t + rate, as in poseidon2::Sponge.
  Fr two64 = Fr::from_u64(uint64_t(1) << 63).dbl();
  LcState s = {LC(), LC(), LC::constant(two64 + Fr::from_u64(256 * 3 + 2))};
  size_t pos = 0;
  for (const LC& x : xs) {
    s[pos] += x;
    if (++pos == 2) {
      s = permute_gadget(cb, s);
      pos = 0;
    }
  }
  s[pos] += LC::constant(Fr::one());
  s = permute_gadget(cb, s);
  return s[0];
}

}  // namespace codex::prover::circuit
