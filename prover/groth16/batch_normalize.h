// Jacobian → affine for many points with one field inversion (Montgomery's
// trick over the Z coordinates); identities map to the affine identity.
#pragma once

#include <span>
#include <vector>

#include "prover/curve/point.h"
#include "prover/error.h"

namespace codex::prover::groth16 {

template <class C>
void batch_to_affine(std::span<const curve::Jacobian<C>> in, std::span<curve::Affine<C>> out) {
  using F = typename C::Field;
  if (in.size() != out.size()) throw InvalidInput("batch_to_affine: size mismatch");
  std::vector<F> prefix(in.size());
  F acc = F::one();
  for (size_t i = 0; i < in.size(); ++i) {
    prefix[i] = acc;
    if (!in[i].is_identity()) acc *= in[i].Z;
  }
  F inv = acc.inverse();
  for (size_t i = in.size(); i-- > 0;) {
    if (in[i].is_identity()) {
      out[i] = curve::Affine<C>();
      continue;
    }
    F zi = inv * prefix[i];  // 1/Z_i
    inv *= in[i].Z;
    F zi2 = zi.square();
    out[i] = curve::Affine<C>(in[i].X * zi2, in[i].Y * zi2 * zi);
  }
}

}  // namespace codex::prover::groth16
