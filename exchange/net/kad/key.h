#pragma once
// The Kademlia keyspace of libp2p: a point is SHA-256 of a key's bytes, and
// the distance between two points is their XOR read as a big-endian 256-bit
// number. Peers sit at SHA-256 of their peer id's multihash bytes; provider
// records at SHA-256 of the content's multihash bytes (the CID's multihash,
// not the whole CID, as js-libp2p and go-libp2p key them).
//
// Deviation from spec node.md §8.4: the reference's discv5 DHT keys content
// by keccak256(binary CID). This wire is libp2p's Kademlia, so that js and go
// kad-dht nodes interoperate; it uses their keys instead.
//
// Plain values; thread-safe.
#include <array>
#include <compare>
#include <cstdint>
#include <span>
#include <vector>

#include "exchange/multiformats/cid.h"
#include "exchange/net/peer_id.h"

namespace codex::net::kad {

using Point = std::array<uint8_t, 32>;

// SHA-256 of `key`.
Point point_of(std::span<const uint8_t> key);
Point point_of(const PeerId& peer);

// The key of a CID's provider records: its multihash bytes.
std::vector<uint8_t> provider_key(const Cid& cid);

Point distance(const Point& a, const Point& b);
// Number of leading bits `a` and `b` share (256 when equal).
int common_prefix_length(const Point& a, const Point& b);

}  // namespace codex::net::kad
