// A local chain with the marketplace deployed: start anvil, deploy with
// `codex-agent chain deploy` (the agent's deployer, reference order), and add
// anvil's pid to the devnet JSON it writes.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startAnvil, stopPid } from "./anvil.mjs";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
export const DEFAULT_VERIFICATION_KEY = path.join(ROOT, "configs", "verification_key_hardhat.json");

// $CODEX_AGENT, else the build tree's ($BUILD_DIR, default build/).
function agentBinary() {
  const bin = process.env.CODEX_AGENT ?? path.join(ROOT, process.env.BUILD_DIR ?? "build", "agent", "codex-agent");
  if (!fs.existsSync(bin)) throw new Error(`codex-agent not found at ${bin} (build it with scripts/setup, or set CODEX_AGENT)`);
  return bin;
}

// "devnet" / "reference" name a configs/chain-<name>.json preset; anything
// else is a path.
function presetFile(nameOrPath) {
  return /^[a-z0-9-]+$/.test(nameOrPath) ? path.join(ROOT, "configs", `chain-${nameOrPath}.json`) : nameOrPath;
}

function loadPreset(nameOrPath) {
  const file = presetFile(nameOrPath);
  const preset = JSON.parse(fs.readFileSync(file, "utf8"));
  if (!preset.marketplace?.proofs || !preset.token) throw new Error(`${file}: not a chain preset`);
  return preset;
}

// Runs codex-agent with `args`; rejects with its error output on failure.
function runAgent(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(agentBinary(), args, { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("exit", (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`codex-agent ${args[0]} ${args[1]} failed (${code ?? signal}): ${stderr.trim()}`)),
    );
  });
}

// Options: port, preset (name or path), verificationKey (path), testVerifier,
// detached, logFile. Returns { devnet, anvil, stop() }.
export async function startDevnet(options = {}) {
  const preset = loadPreset(options.preset ?? "devnet");
  const vkFile = options.verificationKey ?? DEFAULT_VERIFICATION_KEY;
  if (!fs.existsSync(vkFile)) throw new Error(`verification key not found: ${vkFile} (--verification-key)`);
  agentBinary(); // fail before anvil starts

  const anvil = await startAnvil({
    root: ROOT,
    port: options.port,
    accounts: Math.max(20, preset.token.accounts),
    detached: options.detached,
    logFile: options.logFile,
  });
  const stop = () => stopPid(anvil.pid, options.detached ? null : anvil.child);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "codex-devnet-"));
  try {
    const keys = path.join(tmp, "keys");
    fs.writeFileSync(keys, anvil.accounts.map((a) => a.privateKey).join("\n") + "\n", { mode: 0o600 });
    const out = path.join(tmp, "devnet.json");
    const args = ["chain", "deploy", "--rpc-url", anvil.url, "--preset", presetFile(options.preset ?? "devnet"),
      "--keys", keys, "--verification-key", vkFile, "--out", out];
    if (options.testVerifier) args.push("--test-verifier");
    await runAgent(args);
    const deployed = JSON.parse(fs.readFileSync(out, "utf8"));
    const { format, rpcUrl, chainId, ...rest } = deployed;
    return { devnet: { format, rpcUrl, chainId, anvilPid: anvil.pid, ...rest }, anvil, stop };
  } catch (e) {
    await stop();
    throw e;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

export function writeJson(file, value) {
  const tmp = `${file}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(value, null, 2) + "\n", { mode: 0o600 });
  fs.renameSync(tmp, file);
}
