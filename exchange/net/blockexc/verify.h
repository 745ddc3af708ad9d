#pragma once
// Checks a delivered block against what was asked for (spec node.md §8.3,
// "Receiving"), before anything of it is stored.
#include <string>

#include "exchange/net/blockexc/message.h"

namespace codex::net::blockexc {

// Non-leaf address: the delivery's CID is the address's CID, a sha2-256 CID
// whose digest is SHA-256 of the data. Leaf address: the CID is a sha2-256
// CID of the data, a proof is present, decodes, carries the address's index,
// and leads from the CID's digest to the root in the tree CID's multihash.
// Returns an empty string when the block verifies, else why it does not.
// Thread-safe (pure).
std::string verify_delivery(const BlockDelivery& d);

}  // namespace codex::net::blockexc
