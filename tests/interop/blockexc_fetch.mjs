// A js-libp2p peer that fetches one block from our node over
// /codex/blockexc/1.0.0, with the WantBlock message built by protons-runtime's
// protobuf writer (an encoder independent of ours), and checks the delivered
// block against its CID with node:crypto's SHA-256.
//
//   node blockexc_fetch.mjs --dial MULTIADDR --cid CID [--muxer yamux|mplex]
//
// Prints JSON lines: {"event":"block",...} for each delivery received, then
// {"event":"done"}; exits non-zero on an error or when no block arrives.
import { createLibp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { mplex } from '@libp2p/mplex'
import { identify } from '@libp2p/identify'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { multiaddr } from '@multiformats/multiaddr'
import { CID } from 'multiformats/cid'
import { base58btc } from 'multiformats/bases/base58'
import { writer, reader } from 'protons-runtime'
import * as lp from 'it-length-prefixed'
import { createHash } from 'node:crypto'

const PROTOCOL = '/codex/blockexc/1.0.0'
const args = process.argv.slice(2)
const opt = (name, fallback) => {
  const i = args.indexOf(name)
  return i >= 0 ? args[i + 1] : fallback
}
const emit = (obj) => process.stdout.write(JSON.stringify(obj) + '\n')
const hex = (b) => Buffer.from(b).toString('hex')

const wanted = CID.parse(opt('--cid'))

// Message{1: WantList{1: Entry{1: BlockAddress{1: leaf=0, 4: cid}, 2: priority,
// 3: cancel, 4: wantType=WantBlock, 5: sendDontHave}, 2: full}, 5: pendingBytes}
function wantBlockMessage (cidBytes) {
  const address = writer()
  address.uint32((1 << 3) | 0).uint32(0)
  address.uint32((4 << 3) | 2).bytes(cidBytes)
  const entry = writer()
  entry.uint32((1 << 3) | 2).bytes(address.finish())
  entry.uint32((2 << 3) | 0).int32(0)
  entry.uint32((3 << 3) | 0).bool(false)
  entry.uint32((4 << 3) | 0).uint32(0)
  entry.uint32((5 << 3) | 0).bool(true)
  const wantList = writer()
  wantList.uint32((1 << 3) | 2).bytes(entry.finish())
  wantList.uint32((2 << 3) | 0).bool(false)
  const msg = writer()
  msg.uint32((1 << 3) | 2).bytes(wantList.finish())
  msg.uint32((5 << 3) | 0).uint32(0)
  return msg.finish()
}

// The fields of one protobuf message: number → list of values (bytes or numbers).
function fields (buf) {
  const r = reader(buf)
  const out = new Map()
  while (r.pos < r.len) {
    const tag = r.uint32()
    const wire = tag & 7
    let value
    if (wire === 2) value = r.bytes()
    else if (wire === 0) value = r.uint64Number()
    else { r.skipType(wire); continue }
    const n = tag >>> 3
    if (!out.has(n)) out.set(n, [])
    out.get(n).push(value)
  }
  return out
}

let resolveBlock
const gotBlock = new Promise((resolve) => { resolveBlock = resolve })

const node = await createLibp2p({
  privateKey: await generateKeyPair('secp256k1'),
  transports: [tcp()],
  connectionEncrypters: [noise()],
  streamMuxers: [opt('--muxer', 'yamux') === 'mplex' ? mplex() : yamux()],
  services: { identify: identify() },
})

// Our node answers on its own outgoing stream, as the reference does.
await node.handle(PROTOCOL, async (stream) => {
  try {
    for await (const chunk of lp.decode(stream, { maxDataLength: 32 << 20 })) {
      const msg = fields(chunk.subarray())
      for (const d of msg.get(3) ?? []) {
        const f = fields(d)
        const cidBytes = f.get(1)?.[0] ?? new Uint8Array()
        const data = f.get(2)?.[0] ?? new Uint8Array()
        const address = fields(f.get(3)?.[0] ?? new Uint8Array())
        const digest = createHash('sha256').update(data).digest()
        const cid = CID.decode(cidBytes)
        emit({
          event: 'block',
          cid: cid.toString(base58btc),
          size: data.length,
          sha256: hex(digest),
          addressCid: address.get(4) ? CID.decode(address.get(4)[0]).toString(base58btc) : null,
          cidMatchesData: cid.multihash.code === 0x12 && hex(cid.multihash.digest) === hex(digest),
        })
        resolveBlock()
      }
    }
  } catch (err) {
    process.stderr.write(`read failed: ${err.stack ?? err}\n`)
  }
}, { runOnLimitedConnection: true })

await node.start()
try {
  const stream = await node.dialProtocol(multiaddr(opt('--dial')), PROTOCOL)
  stream.send(lp.encode.single(wantBlockMessage(wanted.bytes)))
  const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error('no block in 20 s')), 20000))
  await Promise.race([gotBlock, timeout])
  emit({ event: 'done' })
  await node.stop()
  process.exit(0)
} catch (err) {
  process.stderr.write(`fetch failed: ${err.stack ?? err}\n`)
  await node.stop()
  process.exit(1)
}
