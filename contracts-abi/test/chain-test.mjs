#!/usr/bin/env node
// Starts a fresh anvil with the contracts deployed by the agent
// (scripts/devnet: `codex-agent chain deploy`) and exercises them over raw
// JSON-RPC with the test's own ABI encoder (./abi.mjs): the Groth16 verifier
// against the reference proof, the vector request, and storage requests through
// fill, proofs, missed proofs, repair, payouts, cancellation, failure and
// withdrawal, with error paths. Exit 0 = pass.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { encodeCall, encodeParams, word } from "./abi.mjs";
import { ROOT, startDevnet } from "../../scripts/devnet/devnet.mjs";

const require = createRequire(path.join(ROOT, "package.json"));
const { keccak256 } = require("js-sha3"); // ships with solc-js

const DATA = path.join(ROOT, "tests", "data");
const vectors = JSON.parse(fs.readFileSync(path.join(DATA, "codex-abi-vectors.json"), "utf8"));
const example = path.join(DATA, "codex-example");

function loadArtifact(name) {
  return JSON.parse(fs.readFileSync(path.join(ROOT, "contracts-abi", "artifacts", `${name}.json`), "utf8"));
}

const R = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;

const market = loadArtifact("TestMarketplace");
const token = loadArtifact("TestToken");
const verifierArtifact = loadArtifact("Groth16Verifier");
const gas = {};

function errorSelector(artifact, name) {
  const sig = Object.keys(artifact.errors).find((s) => s.startsWith(`${name}(`));
  assert.ok(sig, `error ${name} not in ABI`);
  return artifact.errors[sig];
}

function topic(name) {
  const sig = Object.keys(market.events).find((s) => s.startsWith(`${name}(`));
  return market.events[sig];
}

const keccakHex = (hex) => "0x" + keccak256(Buffer.from(hex.replace(/^0x/, ""), "hex"));

async function main() {
  const { devnet, anvil, stop } = await startDevnet({ preset: "devnet", testVerifier: true });
  const rpc = anvil.rpc;
  const cleanup = async () => {
    await stop();
    process.exit(130);
  };
  process.on("SIGINT", cleanup);
  process.on("SIGTERM", cleanup);
  try {
    const ctx = { rpc, devnet, accounts: devnet.accounts.map((a) => a.address) };
    await verifierChecks(ctx);
    await vectorRequestChecks(ctx);
    await lifecycle(ctx);
    await cancelled(ctx);
    await failedBySlashing(ctx);
    for (const [k, v] of Object.entries({ ...devnet.gasUsed, ...gas })) console.log(`gas ${k}: ${v}`);
    console.log("chain-test: ok");
  } finally {
    await stop();
  }
}

async function call(rpc, to, data, from, tag = "latest") {
  return rpc.call("eth_call", [{ to, data, from, gas: "0x1c9c380" }, tag]);
}

async function expectRevert(rpc, tx, selector, tag = "latest") {
  try {
    await rpc.call("eth_call", [{ gas: "0x1c9c380", ...tx }, tag]);
  } catch (e) {
    assert.equal((e.data ?? "").slice(0, 10), selector, `revert data ${e.data} (${e.message})`);
    return;
  }
  assert.fail(`expected revert ${selector}`);
}

async function send(rpc, tx, label) {
  const receipt = await rpc.sendOk(tx);
  if (label) gas[label] = Number(BigInt(receipt.gasUsed));
  return receipt;
}

async function balance(ctx, who) {
  return word(await call(ctx.rpc, ctx.devnet.token, encodeCall(token, "balanceOf", [who])));
}

async function blockTime(rpc, receipt) {
  const block = await rpc.call("eth_getBlockByNumber", [receipt.blockNumber, false]);
  return BigInt(block.timestamp);
}

async function setTime(rpc, t) {
  await rpc.call("evm_setNextBlockTimestamp", [Number(t)]);
  await rpc.call("evm_mine", []);
}

// §11: the reference proof verifies with its inputs and fails with any change.
async function verifierChecks({ rpc, devnet }) {
  const proofJson = JSON.parse(fs.readFileSync(path.join(example, "proof.json"), "utf8"));
  const inputs = JSON.parse(fs.readFileSync(path.join(example, "public.json"), "utf8")).map(BigInt);
  const proof = {
    a: { x: proofJson.pi_a[0], y: proofJson.pi_a[1] },
    b: {
      x: { real: proofJson.pi_b[0][0], imag: proofJson.pi_b[0][1] },
      y: { real: proofJson.pi_b[1][0], imag: proofJson.pi_b[1][1] },
    },
    c: { x: proofJson.pi_c[0], y: proofJson.pi_c[1] },
  };
  assert.deepEqual(proof, vectors.groth16.proof, "snarkjs proof.json maps to the vectors' contract form");
  const verify = async (p, ins) =>
    word(await call(rpc, devnet.contracts.groth16Verifier, encodeCall(verifierArtifact, "verify", [p, ins]))) === 1n;

  const data = encodeCall(verifierArtifact, "verify", [proof, inputs]);
  assert.equal(data, vectors.groth16.verifyCalldata, "verify calldata equals the vector");
  assert.equal(await verify(proof, inputs), true, "reference proof verifies");
  for (let i = 0; i < inputs.length; i++) {
    const changed = inputs.slice();
    changed[i] += 1n;
    assert.equal(await verify(proof, changed), false, `input ${i} changed`);
  }
  assert.equal(await verify(proof, [inputs[1], inputs[0], inputs[2]]), false, "inputs reordered");
  assert.equal(await verify(proof, [inputs[0], inputs[1] + R, inputs[2]]), false, "input >= r");
  assert.equal(await verify(proof, inputs.slice(0, 2)), false, "too few inputs");
  const swapped = structuredClone(proof);
  swapped.b.x = { real: proof.b.x.imag, imag: proof.b.x.real };
  swapped.b.y = { real: proof.b.y.imag, imag: proof.b.y.real };
  assert.equal(await verify(swapped, inputs), false, "G2 real/imag swapped");
  const badA = structuredClone(proof);
  badA.a.y = (BigInt(proof.a.y) + 1n).toString();
  assert.equal(await verify(badA, inputs), false, "A not on the curve");
  // gas of a standalone verify that returns true (measured by a transaction)
  const receipt = await send(rpc, { from: devnet.accounts[0].address, to: devnet.contracts.groth16Verifier, data, gas: "0xf4240" });
  gas["Groth16Verifier.verify (tx)"] = Number(BigInt(receipt.gasUsed));
}

// The vectors' request: calldata, requestId and getRequest bytes on chain;
// the field-element conversions.
async function vectorRequestChecks({ rpc, devnet, accounts }) {
  const v = vectors.request;
  const request = { ...v, content: { cid: v.content.cid, merkleRoot: v.content.merkleRoot } };
  const data = encodeCall(market, "requestStorage", [request]);
  assert.equal(data, vectors.calldata.requestStorage, "requestStorage calldata equals the vector");
  assert.equal(keccakHex(data.slice(10)), vectors.requestId);

  const client = accounts[0];
  const marketplace = devnet.contracts.marketplace;
  await send(rpc, { from: client, to: devnet.token, data: encodeCall(token, "approve", [marketplace, BigInt(vectors.maxPrice)]) }, "approve");
  const receipt = await send(rpc, { from: client, to: marketplace, data }, "requestStorage");
  const log = receipt.logs.find((l) => l.topics[0] === topic("StorageRequested"));
  assert.equal(log.data.slice(0, 66), vectors.requestId, "StorageRequested carries the requestId");
  const expiresAt = (await blockTime(rpc, receipt)) + 600n;
  assert.equal(word(log.data, 8), expiresAt, "event expiry is absolute");
  assert.equal(await call(rpc, marketplace, encodeCall(market, "getRequest", [vectors.requestId])), vectors.getRequestReturnData);
  assert.equal(word(await call(rpc, marketplace, encodeCall(market, "requestExpiry", [vectors.requestId]))), expiresAt);
  await expectRevert(rpc, { from: client, to: marketplace, data }, errorSelector(market, "Marketplace_RequestAlreadyExists"));

  // (configuration() of the reference preset: ContractsChain.DetachedDevnetStopsCleanly)
  const conv = vectors.fieldElements;
  const tm = devnet.contracts.testMarketplace;
  assert.equal(word(await call(rpc, tm, encodeCall(market, "challengeToFieldElement", [conv.challenge]))), BigInt(conv.challengeToFieldElement));
  assert.equal(word(await call(rpc, tm, encodeCall(market, "merkleRootToFieldElement", [conv.merkleRoot]))), BigInt(conv.merkleRootToFieldElement));
}

const proofOk = { a: { x: 1, y: 2 }, b: { x: { real: 3, imag: 4 }, y: { real: 5, imag: 6 } }, c: { x: 7, y: 8 } };
const proofZero = { a: { x: 0, y: 0 }, b: { x: { real: 0, imag: 0 }, y: { real: 0, imag: 0 } }, c: { x: 0, y: 0 } };

// Calls and checks on TestMarketplace shared by the scenarios below.
function marketplaceHelpers(ctx) {
  const { rpc, devnet } = ctx;
  const m = devnet.contracts.testMarketplace;
  const h = {
    m,
    period: BigInt(devnet.configuration.proofs.period),
    err: (name) => errorSelector(market, name),
    tx: (from, name, args) => ({ from, to: m, data: encodeCall(market, name, args) }),
    view: async (name, args, from, tag) => call(rpc, m, encodeCall(market, name, args), from, tag),
    has: (receipt, event) => receipt.logs.some((l) => l.topics[0] === topic(event)),
    // requests and returns its id, checked against keccak(calldata[4:])
    async request(request) {
      const receipt = await send(rpc, h.tx(request.client, "requestStorage", [request]));
      const id = receipt.logs.find((l) => l.topics[0] === topic("StorageRequested")).data.slice(0, 66);
      assert.equal(id, keccakHex(encodeCall(market, "requestStorage", [request]).slice(10)));
      return id;
    },
    slotId: (requestId, i) => keccakHex(requestId.slice(2) + encodeParams([{ type: "uint64" }], [i])),
    async reserveAndFill(host, requestId, i, label) {
      await send(rpc, h.tx(host, "reserveSlot", [requestId, i]));
      const receipt = await send(rpc, h.tx(host, "fillSlot", [requestId, i, proofOk]), label);
      return { receipt, filledAt: await blockTime(rpc, receipt) };
    },
    // Marks period p missing once the validation window is open; the pointer
    // may sit in the downtime for the current block, so step blocks.
    async markMissing(validator, slot, p, label) {
      for (let i = 0; i < 70; i++) {
        try {
          await h.view("canMarkProofAsMissing", [slot, p], validator, "pending");
          return send(rpc, h.tx(validator, "markProofAsMissing", [slot, p]), label);
        } catch (e) {
          if (e.code === "ERR_ASSERTION") throw e;
          assert.equal((e.data ?? "").slice(0, 10), h.err("Proofs_ProofNotRequired"), e.message);
          await rpc.call("evm_mine", []);
        }
      }
      assert.fail("no proof required in period " + p);
    },
  };
  return h;
}

function makeRequest(client, fields) {
  return {
    client,
    ask: { proofProbability: 1, pricePerBytePerSecond: 1, collateralPerByte: 1, slots: 2, slotSize: 1024n, duration: 300, maxSlotLoss: 1, ...fields.ask },
    content: { cid: "0x" + Buffer.from("cid-" + fields.nonce).toString("hex"), merkleRoot: "0x" + "33".repeat(32) },
    expiry: fields.expiry ?? 120,
    nonce: "0x" + fields.nonce.repeat(32),
  };
}

// A 2-slot request on TestMarketplace (TestVerifier) from request to withdrawal.
async function lifecycle(ctx) {
  const { rpc, devnet, accounts } = ctx;
  const [client, host1, host2, validator, host3] = accounts;
  const h = marketplaceHelpers(ctx);
  const { m, period, err, tx, view } = h;

  const slotSize = 1024n;
  const request = makeRequest(client, { nonce: "44" });
  const maxPrice = 2n * 300n * slotSize;
  const collateral = slotSize;
  for (const who of [client, host1, host2, host3]) {
    await send(rpc, { from: who, to: devnet.token, data: encodeCall(token, "approve", [m, 10n ** 12n]) });
  }
  await expectRevert(rpc, tx(host1, "requestStorage", [request]), err("Marketplace_InvalidClientAddress"));
  await expectRevert(rpc, tx(client, "requestStorage", [{ ...request, expiry: 300 }]), err("Marketplace_InvalidExpiry"));
  await expectRevert(rpc, tx(client, "requestStorage", [{ ...request, content: { ...request.content, cid: "0x" } }]), err("Marketplace_InvalidCid"));
  const marketBefore = await balance(ctx, m);
  const requestId = await h.request(request);
  assert.equal(await balance(ctx, m), marketBefore + maxPrice, "client paid maxPrice");
  const slotId = (i) => h.slotId(requestId, i);

  // reservations
  await expectRevert(rpc, tx(host1, "fillSlot", [requestId, 0, proofOk]), err("Marketplace_ReservationRequired"));
  await send(rpc, tx(host1, "reserveSlot", [requestId, 0]), "reserveSlot");
  assert.equal(word(await view("canReserveSlot", [requestId, 0], host1)), 0n, "reserved twice");
  await expectRevert(rpc, tx(host1, "reserveSlot", [requestId, 0]), err("SlotReservations_ReservationNotAllowed"));
  await send(rpc, tx(host2, "reserveSlot", [requestId, 1]));
  await expectRevert(rpc, tx(host1, "fillSlot", [requestId, 2, proofOk]), err("Marketplace_InvalidSlot"));
  await expectRevert(rpc, tx(host1, "fillSlot", [requestId, 0, proofZero]), err("Proofs_InvalidProof"));

  // fills
  const fill1 = await send(rpc, tx(host1, "fillSlot", [requestId, 0, proofOk]), "fillSlot");
  const filledAt1 = await blockTime(rpc, fill1);
  assert.ok(fill1.logs.some((l) => l.topics[0] === topic("SlotFilled")));
  assert.ok(fill1.logs.some((l) => l.topics[0] === topic("ProofSubmitted")), "the fill proof counts");
  assert.equal(word(await view("requestState", [requestId])), 0n, "New until all slots are filled");
  const fill2 = await send(rpc, tx(host2, "fillSlot", [requestId, 1, proofOk]));
  assert.ok(fill2.logs.some((l) => l.topics[0] === topic("RequestFulfilled")));
  assert.equal(word(await view("requestState", [requestId])), 1n, "Started");
  assert.equal(word(await view("slotState", [slotId(0)])), 1n, "slot Filled");
  assert.equal(BigInt(await view("getHost", [slotId(0)])), BigInt(host1));
  assert.equal(word(await view("currentCollateral", [slotId(1)])), collateral);
  const mySlots = await view("mySlots", [], host1);
  assert.equal(word(mySlots, 1), 1n);
  assert.equal("0x" + mySlots.slice(2 + 128, 2 + 192), slotId(0));
  const endsAt = word(await view("requestEnd", [requestId]));
  await expectRevert(rpc, tx(host1, "submitProof", [slotId(0), proofOk]), err("Proofs_ProofAlreadySubmitted"));
  await expectRevert(rpc, tx(host2, "submitProof", [slotId(0), proofOk]), err("Marketplace_ProofNotSubmittedByHost"));

  // next period: host1 proves, host2 does not and is marked missing
  const p = (await blockTime(rpc, fill2)) / period + 1n;
  await setTime(rpc, p * period + 1n);
  assert.equal(word(await view("slotProbability", [slotId(0)])), 0n, "proofProbability 1 = every period");
  await send(rpc, tx(host1, "submitProof", [slotId(0), proofOk]), "submitProof");
  await expectRevert(rpc, tx(validator, "markProofAsMissing", [slotId(1), p]), err("Proofs_PeriodNotEnded"));
  await setTime(rpc, (p + 1n) * period + 1n);
  await expectRevert(rpc, tx(validator, "markProofAsMissing", [slotId(0), p]), err("Proofs_ProofNotMissing"));
  const validatorBefore = await balance(ctx, validator);
  await h.markMissing(validator, slotId(1), p, "markProofAsMissing");
  const slashed = (collateral * 20n) / 100n;
  assert.equal(await balance(ctx, validator), validatorBefore + (slashed * 20n) / 100n, "validator reward");
  assert.equal(word(await view("missingProofs", [slotId(1)])), 1n);
  assert.equal(word(await view("currentCollateral", [slotId(1)])), collateral - slashed);
  await expectRevert(rpc, tx(validator, "markProofAsMissing", [slotId(1), p]), err("Proofs_ProofAlreadyMarkedMissing"));

  // host2 abandons its slot; host3 repairs it with the repair reward
  const freed = await send(rpc, tx(host2, "freeSlot", [slotId(1)]), "freeSlot (abandon)");
  assert.ok(freed.logs.some((l) => l.topics[0] === topic("SlotFreed")));
  assert.equal(word(await view("slotState", [slotId(1)])), 6n, "Repair");
  assert.equal(word(await view("requestState", [requestId])), 1n, "one lost slot is tolerated");
  await send(rpc, tx(host3, "reserveSlot", [requestId, 1]));
  const host3Before = await balance(ctx, host3);
  const fill3 = await send(rpc, tx(host3, "fillSlot", [requestId, 1, proofOk]), "fillSlot (repair)");
  const filledAt3 = await blockTime(rpc, fill3);
  assert.equal(await balance(ctx, host3), host3Before - (collateral - collateral / 10n), "repair deposit");

  // past the end: payouts and the client's refund
  await setTime(rpc, endsAt + 1n);
  assert.equal(word(await view("requestState", [requestId])), 3n, "Finished");
  await expectRevert(rpc, tx(host2, "freeSlot", [slotId(0)]), err("Marketplace_InvalidSlotHost"));
  const host1Before = await balance(ctx, host1);
  await send(rpc, tx(host1, "freeSlot", [slotId(0)]), "freeSlot (payout)");
  const pay1 = (endsAt - filledAt1) * slotSize;
  assert.equal(await balance(ctx, host1), host1Before + pay1 + collateral, "host paid");
  assert.equal(word(await view("slotState", [slotId(0)])), 4n, "Paid");
  await expectRevert(rpc, tx(host1, "freeSlot", [slotId(0)]), err("Marketplace_AlreadyPaid"));
  const host3Mid = await balance(ctx, host3);
  await send(rpc, tx(host3, "freeSlot", [slotId(1), host3, validator]));
  const pay3 = (endsAt - filledAt3) * slotSize;
  assert.equal(await balance(ctx, host3), host3Mid + pay3, "reward to the reward recipient");
  const clientBefore = await balance(ctx, client);
  await send(rpc, tx(client, "withdrawFunds", [requestId]), "withdrawFunds");
  assert.equal(await balance(ctx, client), clientBefore + maxPrice - pay1 - pay3, "client refund");
  await expectRevert(rpc, tx(client, "withdrawFunds", [requestId]), err("Marketplace_NothingToWithdraw"));
  // left in the contract: host2's forfeited deposit minus the validator and repair rewards
  const kept = collateral - (slashed * 20n) / 100n - collateral / 10n;
  assert.equal(await balance(ctx, m), marketBefore + kept, "tokens conserved");
}

// A request that expires half filled: the host is paid until expiry, the
// client gets the rest and RequestCancelled.
async function cancelled(ctx) {
  const { rpc, accounts } = ctx;
  const [client, host1, host2] = accounts;
  const h = marketplaceHelpers(ctx);
  const request = makeRequest(client, { nonce: "55", expiry: 30 });
  const requestId = await h.request(request);
  const expiresAt = word(await h.view("requestExpiry", [requestId]));
  const { filledAt } = await h.reserveAndFill(host1, requestId, 0);
  await send(rpc, h.tx(host2, "reserveSlot", [requestId, 1]));
  await setTime(rpc, expiresAt);
  assert.equal(word(await h.view("requestState", [requestId])), 0n, "still New at expiresAt");
  await setTime(rpc, expiresAt + 1n);
  assert.equal(word(await h.view("requestState", [requestId])), 2n, "Cancelled after expiresAt");
  assert.equal(word(await h.view("slotState", [h.slotId(requestId, 0)])), 5n, "slot Cancelled");
  assert.equal(word(await h.view("requestEnd", [requestId])), expiresAt);
  await expectRevert(rpc, h.tx(host2, "fillSlot", [requestId, 1, proofOk]), h.err("Marketplace_SlotNotFree"));

  const pay = (expiresAt - filledAt) * 1024n;
  const hostBefore = await balance(ctx, host1);
  await send(rpc, h.tx(host1, "freeSlot", [h.slotId(requestId, 0)]));
  assert.equal(await balance(ctx, host1), hostBefore + pay + 1024n, "paid until expiry plus collateral");
  const clientBefore = await balance(ctx, client);
  const receipt = await send(rpc, h.tx(client, "withdrawFunds", [requestId, accounts[9]]));
  assert.ok(h.has(receipt, "RequestCancelled"));
  assert.equal(await balance(ctx, client), clientBefore, "refund goes to the recipient");
  assert.equal(await balance(ctx, accounts[9]), 10n ** 15n + 2n * 300n * 1024n - pay, "refund");
}

// maxSlotLoss 0: a host missing maxNumberOfSlashes proofs is forcibly freed
// and the request fails; the client gets maxPrice back, the other host nothing.
async function failedBySlashing(ctx) {
  const { rpc, accounts } = ctx;
  const [client, host1, host2, validator] = accounts;
  const h = marketplaceHelpers(ctx);
  const requestId = await h.request(makeRequest(client, { nonce: "66", ask: { maxSlotLoss: 0 } }));
  const slot0 = h.slotId(requestId, 0);
  await h.reserveAndFill(host1, requestId, 0);
  const { filledAt } = await h.reserveAndFill(host2, requestId, 1);
  const p = filledAt / h.period + 1n;
  await setTime(rpc, (p + 1n) * h.period + 1n);
  await h.markMissing(validator, slot0, p);
  await setTime(rpc, (p + 2n) * h.period + 1n);
  await expectRevert(rpc, h.tx(validator, "markProofAsMissing", [slot0, p]), h.err("Proofs_ValidationTimedOut"));
  const receipt = await h.markMissing(validator, slot0, p + 1n);
  assert.ok(h.has(receipt, "SlotFreed") && h.has(receipt, "RequestFailed"), "second slash frees the slot, request fails");
  assert.equal(word(await h.view("requestState", [requestId])), 4n, "Failed");
  assert.equal(word(await h.view("slotState", [slot0])), 3n, "freed slot reads Failed");
  assert.equal(word(await h.view("missingProofs", [slot0])), 0n, "counter reset");
  assert.equal(word(await h.view("requestEnd", [requestId])), (await blockTime(rpc, receipt)) - 1n);
  await expectRevert(rpc, h.tx(validator, "markProofAsMissing", [h.slotId(requestId, 1), p + 1n]), h.err("Marketplace_SlotNotAcceptingProofs"));

  const hostBefore = await balance(ctx, host2);
  await send(rpc, h.tx(host2, "freeSlot", [h.slotId(requestId, 1)]));
  assert.equal(await balance(ctx, host2), hostBefore, "no pay for a failed request");
  assert.equal(word(await h.view("mySlots", [], host2), 1), 0n, "removed from mySlots");
  const clientBefore = await balance(ctx, client);
  await send(rpc, h.tx(client, "withdrawFunds", [requestId]));
  assert.equal(await balance(ctx, client), clientBefore + 2n * 300n * 1024n, "full refund");
}

main().catch((e) => {
  console.error(`chain-test: FAIL ${e.stack ?? e.message}`);
  process.exit(1);
});
