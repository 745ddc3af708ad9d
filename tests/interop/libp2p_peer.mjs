// A js-libp2p peer for interoperability tests of our network stack (the
// independent implementation the C++ stack is checked against).
//
//   node libp2p_peer.mjs [--muxer yamux|mplex] [--key secp256k1|ed25519]
//                        [--listen] [--dial MULTIADDR] [--pings N]
//
// Prints one JSON object per line on stdout: {"event":"listening",...} when
// listening, {"event":"identify",...} for every peer identified,
// {"event":"ping",...} and {"event":"done"} after a dial. Errors go to stderr
// and exit non-zero. Listeners run until they are killed (SIGTERM, SIGKILL).
import { createLibp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { mplex } from '@libp2p/mplex'
import { identify } from '@libp2p/identify'
import { ping } from '@libp2p/ping'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { multiaddr } from '@multiformats/multiaddr'

const args = process.argv.slice(2)
const opt = (name, fallback) => {
  const i = args.indexOf(name)
  return i >= 0 ? args[i + 1] : fallback
}
const flag = (name) => args.includes(name)
const emit = (obj) => process.stdout.write(JSON.stringify(obj) + '\n')

const muxerName = opt('--muxer', 'yamux')
const keyType = opt('--key', 'secp256k1') === 'ed25519' ? 'Ed25519' : 'secp256k1'

const node = await createLibp2p({
  privateKey: await generateKeyPair(keyType),
  addresses: { listen: flag('--listen') ? ['/ip4/127.0.0.1/tcp/0'] : [] },
  transports: [tcp()],
  connectionEncrypters: [noise()],
  streamMuxers: [muxerName === 'mplex' ? mplex() : yamux()],
  nodeInfo: { userAgent: 'js-interop' },
  services: { identify: identify(), ping: ping() },
  connectionManager: { maxConnections: 16 },
})

node.addEventListener('peer:identify', (evt) => {
  const d = evt.detail
  emit({
    event: 'identify',
    peer: d.peerId.toString(),
    agentVersion: d.agentVersion,
    protocolVersion: d.protocolVersion,
    protocols: d.protocols,
    listenAddrs: d.listenAddrs.map((a) => a.toString()),
    signedPeerRecord: d.signedPeerRecord
      ? { seq: String(d.signedPeerRecord.seq), addresses: d.signedPeerRecord.addresses.map((a) => a.toString()) }
      : null,
  })
})

await node.start()
emit({
  event: 'listening',
  peer: node.peerId.toString(),
  addrs: node.getMultiaddrs().map((a) => a.toString()),
})

const target = opt('--dial')
if (target) {
  try {
    const ma = multiaddr(target)
    const conn = await node.dial(ma)
    emit({ event: 'connected', peer: conn.remotePeer.toString(), muxer: conn.multiplexer, encryption: conn.encryption })
    const pings = Number(opt('--pings', '3'))
    for (let i = 0; i < pings; i++) {
      const ms = await node.services.ping.ping(ma)
      emit({ event: 'ping', ms })
    }
    // Give identify (which runs on connect) time to report.
    await new Promise((r) => setTimeout(r, 300))
    emit({ event: 'done' })
    await node.stop()
    process.exit(0)
  } catch (err) {
    process.stderr.write(`dial failed: ${err.stack ?? err}\n`)
    await node.stop()
    process.exit(1)
  }
}

// A listener lives until it is killed.
process.on('SIGTERM', async () => {
  await node.stop()
  process.exit(0)
})
