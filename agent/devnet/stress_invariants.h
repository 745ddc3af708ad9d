#pragma once
// The checks of a stress run, each returning what it found wrong (empty: the
// invariant held), with what it counted on the way.
//  - tokens: every holder's balance plus the marketplace's holding is the
//    token's supply, and the supply never changed (to the unit);
//  - journals: each node's transaction journal (its codex.sqlite3, read once
//    the node is stopped) against the chain: at most one transaction on chain
//    per intent key, every journaled transaction the node thinks mined is on
//    chain, and the account's nonce on chain is the number of journaled
//    transactions there (nothing was sent outside the journal);
//  - end states: every request ended finished, failed or cancelled, and the
//    way it ended agrees with its events (finished and failed ones started,
//    cancelled ones never did, failed ones lost more slots than tolerated);
//  - freed slots: each was filled again, or its request failed or was
//    cancelled, or the request ended within `repair_grace` seconds of the
//    free (too soon for a repair to be expected).
#include <cstdint>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "agent/devnet/stress_watch.h"

namespace codex::devnet {

std::vector<std::string> check_tokens(const StressWatch& w);

struct JournalFigures {
  uint64_t entries = 0;          // attempts journaled
  uint64_t on_chain = 0;         // of them, with a receipt
  uint64_t intents = 0;          // distinct keys
  uint64_t marks = 0;            // markProofAsMissing transactions that succeeded
  std::set<std::string> marked;  // theirs as "<slot id hex>/<period>"
  uint64_t proofs = 0;           // submitProof transactions that succeeded
  uint64_t reverted = 0;         // transactions on chain that reverted
};

// `node`: its name for messages. Throws when the database cannot be read or
// the chain does not answer.
std::vector<std::string> check_journal(const std::string& node, const std::filesystem::path& db,
                                       const std::string& rpc_url, JournalFigures& figures);

// `unsent`: requests the client accepted and then failed before they reached
// the chain (reported on their own).
std::vector<std::string> check_end_states(const StressWatch& w, size_t posted,
                                          const std::set<market::RequestId>& unsent);

std::vector<std::string> check_freed_slots(const StressWatch& w, uint64_t repair_grace);

}  // namespace codex::devnet
