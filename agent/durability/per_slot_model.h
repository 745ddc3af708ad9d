#pragma once
// The same dataset under the contract's repair instead of the paper's (reliability_model.h):
// every lost slot is seen after its own exponential time of mean MTBP and then refilled on its
// own after an exponential time of mean MTTR; l₀ is not used. A slot counts as lost until its
// own repair completes, and the dataset is lost when more than m slots are lost at once.
//
// The chain: transient states (u, r) with u + r ≤ m (u lost and not yet seen, r seen and being
// repaired) and one absorbing state "lost"; from (u, r): loss → (u+1, r) at (n−u−r)/MTTF (to
// "lost" when u + r = m), sighting → (u−1, r+1) at u/MTBP, repair → (u, r−1) at r/MTTR. Each
// lost slot is out for exp(MTBP) + exp(MTTR), so swapping MTBP and MTTR changes nothing.
// paper_simulation.h's per-slot mode simulates exactly this chain. Pure functions, thread-safe.

#include "agent/durability/reliability_model.h"

namespace codex::agent::durability {

// P(lost within horizon seconds), exact (markov_chain.h). Validates p (l0 is not used).
double per_slot_loss_probability(const ReliabilityParams& p, double horizon);

// Mean time to loss from every slot alive, seconds, exact (markov_chain.h). Validates p.
double per_slot_mean_time_to_loss(const ReliabilityParams& p);

}  // namespace codex::agent::durability
