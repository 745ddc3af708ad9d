// Writes libp2p-vectors.json (stdout): reference bytes from js-libp2p's own
// packages for our multiaddr, signed envelope and peer record code. Pinned:
//   @multiformats/multiaddr 13.0.3, @libp2p/peer-record 9.0.16,
//   @libp2p/crypto 5.2.0, @libp2p/peer-id 6.0.15
// Run where those are installed (tests/data/README.md, section 7):
//   node make-vectors.mjs > vectors.json
//   node make-vectors.mjs --check vectors.json   # exit 1 unless identical
import { multiaddr } from '@multiformats/multiaddr'
import { PeerRecord, RecordEnvelope } from '@libp2p/peer-record'
import { privateKeyFromRaw, generateKeyPairFromSeed, publicKeyToProtobuf } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { readFileSync } from 'node:fs'

const hex = (b) => Buffer.from(b).toString('hex')
const fromHex = (s) => Uint8Array.from(Buffer.from(s, 'hex'))

const valid = [
  '/ip4/127.0.0.1/tcp/4001',
  '/ip4/0.0.0.0/tcp/0',
  '/ip4/255.255.255.255/tcp/65535',
  '/ip4/1.2.3.4/udp/4001',
  '/ip4/1.2.3.4/udp/4001/quic',
  '/ip4/1.2.3.4/udp/4001/quic-v1',
  '/ip4/1.2.3.4/tcp/80/ws',
  '/ip4/1.2.3.4/tcp/443/wss',
  '/ip6/::1/tcp/8080',
  '/ip6/::/tcp/0',
  '/ip6/2001:db8::ff00:42:8329/udp/53',
  '/ip6/fe80::1:2:3:4/tcp/1',
  '/ip6/2001:db8:0:0:1:0:0:1/tcp/1',
  '/dns/localhost/tcp/8070',
  '/dns4/example.com/tcp/443',
  '/dns6/example.com/udp/1',
  '/dnsaddr/bootstrap.libp2p.io',
  '/ip4/127.0.0.1/tcp/4001/p2p/16Uiu2HAmMUjGmiUhJeiZgu6ZZnLRkE2VViR2JgjqtW9aTZnHQqgg',
  '/ip4/127.0.0.1/tcp/4001/p2p/12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA',
  '/p2p/QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N',
  '/ipfs/QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N',
  '/ip4/1.2.3.4/tcp/4001/p2p/QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N/p2p-circuit/p2p/16Uiu2HAmMUjGmiUhJeiZgu6ZZnLRkE2VViR2JgjqtW9aTZnHQqgg'
]
const invalid = [
  '/ip4/256.0.0.1/tcp/1',
  '/ip4/1.2.3/tcp/1',
  '/ip4/1.2.3.4/tcp/65536',
  '/ip4/1.2.3.4/tcp/port',
  '/ip6/1::2::3/tcp/1',
  '/foo/1',
  '/ip4',
  '/p2p/notbase58!'
]

const multiaddrs = valid.map((text) => {
  const ma = multiaddr(text)
  return { text, bytes: hex(ma.bytes), canonical: ma.toString() }
})
for (const text of invalid) {
  let threw = false
  try { multiaddr(text).bytes } catch { threw = true }
  if (!threw) throw new Error(`js accepted ${text}`)
}

// Signed peer records: the secp256k1 key of tests/exchange/net_node_key_test
// (hardhat account 0) and an Ed25519 key from a fixed seed.
async function spr (key, seq, addrs) {
  const peerId = peerIdFromPrivateKey(key)
  const record = new PeerRecord({ peerId, seqNumber: seq, multiaddrs: addrs.map((a) => multiaddr(a)) })
  const envelope = await RecordEnvelope.seal(record, key)
  const bytes = envelope.marshal()
  const opened = await RecordEnvelope.openAndCertify(bytes, PeerRecord.DOMAIN)
  if (!opened.equals(envelope)) throw new Error('round trip')
  return {
    peer_id: peerId.toString(),
    public_key: hex(publicKeyToProtobuf(key.publicKey)),
    seq: seq.toString(),
    addresses: addrs,
    payload: hex(record.marshal()),
    envelope: hex(bytes),
    // What nim-libp2p/codex-dht print: "spr:" + unpadded base64url.
    uri: 'spr:' + Buffer.from(bytes).toString('base64url')
  }
}

const secpKey = privateKeyFromRaw(fromHex('ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80'))
const edKey = await generateKeyPairFromSeed('Ed25519', new Uint8Array(32).fill(7))
const records = {
  secp256k1: await spr(secpKey, 1700000000n, ['/ip4/127.0.0.1/tcp/8070', '/ip4/127.0.0.1/udp/8090']),
  secp256k1_no_addresses: await spr(secpKey, 5n, []),
  ed25519: await spr(edKey, 42n, ['/ip6/::1/tcp/4001', '/dns4/example.com/tcp/443/wss'])
}

const out = JSON.stringify({
  generator: 'tests/data/libp2p/make-vectors.mjs',
  packages: {
    '@multiformats/multiaddr': '13.0.3',
    '@libp2p/peer-record': '9.0.16',
    '@libp2p/crypto': '5.2.0',
    '@libp2p/peer-id': '6.0.15'
  },
  multiaddrs,
  invalid_multiaddrs: invalid,
  signed_peer_records: records
}, null, 2)

const check = process.argv.indexOf('--check')
if (check === -1) {
  console.log(out)
} else if (readFileSync(process.argv[check + 1], 'utf8').trim() !== out) {
  console.error(`make-vectors: ${process.argv[check + 1]} differs from what js-libp2p produces`)
  process.exit(1)
} else {
  console.error('make-vectors: identical')
}
