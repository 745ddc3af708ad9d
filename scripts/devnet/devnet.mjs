// A local chain with the marketplace deployed: start anvil, deploy, describe
// the result as the devnet JSON the agent reads.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { CHAIN_ID, startAnvil, stopPid } from "./anvil.mjs";
import { deployAll } from "./deploy.mjs";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
export const DEFAULT_VERIFICATION_KEY = path.join(ROOT, "configs", "verification_key_hardhat.json");

// "devnet" / "reference" name a configs/chain-<name>.json preset; anything
// else is a path.
export function loadPreset(nameOrPath) {
  const file = /^[a-z0-9-]+$/.test(nameOrPath) ? path.join(ROOT, "configs", `chain-${nameOrPath}.json`) : nameOrPath;
  const preset = JSON.parse(fs.readFileSync(file, "utf8"));
  if (!preset.marketplace?.proofs || !preset.token) throw new Error(`${file}: not a chain preset`);
  return preset;
}

// Options: port, preset (name or path), verificationKey (path), testVerifier,
// detached, logFile. Returns { devnet, anvil, stop() }.
export async function startDevnet(options = {}) {
  const preset = loadPreset(options.preset ?? "devnet");
  const vkFile = options.verificationKey ?? DEFAULT_VERIFICATION_KEY;
  if (!fs.existsSync(vkFile)) throw new Error(`verification key not found: ${vkFile} (--verification-key)`);
  const verificationKey = JSON.parse(fs.readFileSync(vkFile, "utf8"));

  const anvil = await startAnvil({
    root: ROOT,
    port: options.port,
    accounts: Math.max(20, preset.token.accounts),
    detached: options.detached,
    logFile: options.logFile,
  });
  const stop = () => stopPid(anvil.pid, options.detached ? null : anvil.child);
  try {
    const { contracts, gasUsed } = await deployAll({ root: ROOT, rpc: anvil.rpc, accounts: anvil.accounts, preset, verificationKey });
    const devnet = {
      format: "codex-devnet/1",
      rpcUrl: anvil.url,
      chainId: CHAIN_ID,
      anvilPid: anvil.pid,
      preset: preset.name,
      verifier: options.testVerifier ? "TestVerifier" : "Groth16Verifier",
      // the marketplace the agent uses: TestMarketplace (TestVerifier) or Marketplace (Groth16Verifier)
      marketplace: options.testVerifier ? contracts.testMarketplace : contracts.marketplace,
      token: contracts.token,
      contracts,
      configuration: preset.marketplace,
      deployBlock: Number(BigInt(await anvil.rpc.call("eth_blockNumber"))),
      accounts: anvil.accounts.map((a, i) => ({
        address: a.address,
        privateKey: a.privateKey,
        tokens: i < preset.token.accounts ? preset.token.mintPerAccount : "0",
      })),
      gasUsed,
    };
    return { devnet, anvil, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

export function writeJson(file, value) {
  const tmp = `${file}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(value, null, 2) + "\n");
  fs.renameSync(tmp, file);
}
