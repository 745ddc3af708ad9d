// A js-libp2p Kademlia DHT node (@libp2p/kad-dht, server mode, protocol
// /ipfs/kad/1.0.0) for interoperability tests of our DHT (exchange/net/kad).
//
//   node kad_peer.mjs --bootstrap MULTIADDR [--bootstrap MULTIADDR…]
//                     [--provide CID] [--find CID] [--timeout MS]
//
// Listens on 127.0.0.1, dials the bootstrap nodes, waits until its routing
// table holds them, then provides --provide and looks up the providers of
// --find. Prints one JSON object per line: {"event":"listening"},
// {"event":"ready","routingTable":N}, {"event":"provided"},
// {"event":"provider","peer":…,"addrs":[…]} per provider found,
// {"event":"found"} / {"event":"not-found"}, then {"event":"done"} and keeps
// serving the DHT until it is killed (SIGTERM). Errors go to stderr and exit
// non-zero.
import { createLibp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { ping } from '@libp2p/ping'
import { kadDHT, passthroughMapper } from '@libp2p/kad-dht'
import { multiaddr } from '@multiformats/multiaddr'
import { CID } from 'multiformats/cid'

const args = process.argv.slice(2)
const opt = (name, fallback) => {
  const i = args.indexOf(name)
  return i >= 0 ? args[i + 1] : fallback
}
const all = (name) => args.flatMap((a, i) => (a === name ? [args[i + 1]] : []))
const emit = (obj) => process.stdout.write(JSON.stringify(obj) + '\n')
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

const node = await createLibp2p({
  addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
  transports: [tcp()],
  connectionEncrypters: [noise()],
  streamMuxers: [yamux()],
  nodeInfo: { userAgent: 'js-kad-interop' },
  services: {
    identify: identify(),
    ping: ping(),
    // Server mode on our protocol id; loopback addresses kept (the default
    // mapper drops private addresses, which are all a test network has).
    dht: kadDHT({
      protocol: '/ipfs/kad/1.0.0',
      clientMode: false,
      peerInfoMapper: passthroughMapper,
    }),
  },
})

process.on('SIGTERM', async () => {
  await node.stop()
  process.exit(0)
})

try {
  await node.start()
  emit({ event: 'listening', peer: node.peerId.toString(), addrs: node.getMultiaddrs().map((a) => a.toString()) })
  const bootstrap = all('--bootstrap')
  for (const b of bootstrap) await node.dial(multiaddr(b))
  const dht = node.services.dht
  for (let i = 0; i < 200 && dht.routingTable.size < bootstrap.length; i++) await sleep(50)
  emit({ event: 'ready', routingTable: dht.routingTable.size })
  const timeout = Number(opt('--timeout', '30000'))

  const provide = opt('--provide')
  if (provide) {
    await node.contentRouting.provide(CID.parse(provide), { signal: AbortSignal.timeout(timeout) })
    emit({ event: 'provided', cid: provide })
  }
  const find = opt('--find')
  if (find) {
    let found = false
    for await (const p of node.contentRouting.findProviders(CID.parse(find), { signal: AbortSignal.timeout(timeout) })) {
      emit({ event: 'provider', peer: p.id.toString(), addrs: p.multiaddrs.map((a) => a.toString()) })
      found = true
      break
    }
    emit({ event: found ? 'found' : 'not-found', cid: find })
  }
  emit({ event: 'done', routingTable: dht.routingTable.size })
} catch (err) {
  process.stderr.write(`kad peer failed: ${err.stack ?? err}\n`)
  await node.stop()
  process.exit(1)
}
