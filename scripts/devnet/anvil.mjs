// Starts and stops the pinned anvil (npm @foundry-rs/anvil-linux-amd64, or
// $CODEX_ANVIL) on 127.0.0.1 only.
import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { Rpc } from "./rpc.mjs";

export const CHAIN_ID = 31337;
const SETPRIV = "/usr/bin/setpriv"; // util-linux // hardhat's and the reference node's local chain

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

// Returns { child, pid, rpc, url, accounts: [{address, privateKey}] }.
// detached: anvil survives this process (for the pid-file mode).
export async function startAnvil({ root, port, accounts = 20, detached = false, logFile }) {
  const bin = process.env.CODEX_ANVIL ?? path.join(root, "node_modules", ".bin", "anvil");
  if (!fs.existsSync(bin)) throw new Error(`anvil not found at ${bin} (run scripts/setup, or set CODEX_ANVIL)`);
  const usePort = port || (await freePort());
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "codex-anvil-"));
  const configOut = path.join(tmp, "anvil.json");
  const args = [
    "--host", "127.0.0.1",
    "--port", String(usePort),
    "--chain-id", String(CHAIN_ID),
    "--accounts", String(accounts),
    "--balance", "10000",
    "--config-out", configOut,
    // old states not written to ~/.foundry/anvil/tmp (never removed when
    // anvil is killed)
    "--prune-history", "512",
  ];
  const out = logFile ? fs.openSync(logFile, "a") : "ignore";
  // attached: the kernel stops anvil even if this process is killed outright
  // (setpriv execs anvil, so the pid stays the same)
  const [cmd, cmdArgs] =
    !detached && fs.existsSync(SETPRIV) ? [SETPRIV, ["--pdeathsig", "TERM", "--", bin, ...args]] : [bin, args];
  const child = spawn(cmd, cmdArgs, { detached, stdio: ["ignore", out, out] });
  if (logFile) fs.closeSync(out);
  let exited = null;
  child.on("exit", (code, signal) => (exited = { code, signal }));

  const url = `http://127.0.0.1:${usePort}`;
  const rpc = new Rpc(url);
  const deadline = Date.now() + 15000;
  for (;;) {
    if (exited) throw new Error(`anvil exited at start (${JSON.stringify(exited)}); port ${usePort} in use?`);
    try {
      await rpc.call("eth_chainId");
      if (fs.existsSync(configOut)) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error("anvil did not start within 15 s");
    }
    await sleep(50);
  }
  const config = JSON.parse(fs.readFileSync(configOut, "utf8"));
  fs.rmSync(tmp, { recursive: true, force: true });
  const list = config.available_accounts.map((address, i) => ({ address, privateKey: config.private_keys[i] }));
  if (detached) child.unref();
  return { child, pid: child.pid, rpc, url, port: usePort, accounts: list };
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

// True if pid is a running anvil (guards against a recycled pid).
export function isAnvil(pid) {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0")[0].endsWith("anvil");
  } catch {
    return false;
  }
}

// SIGTERM, then SIGKILL after 5 s; resolves when the process is gone.
export async function stopPid(pid, child) {
  if (!alive(pid)) return;
  const gone = child && child.exitCode === null && child.signalCode === null
    ? new Promise((r) => child.once("exit", r))
    : null;
  process.kill(pid, "SIGTERM");
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    if (gone) {
      await Promise.race([gone, sleep(5000)]);
      if (child.exitCode !== null || child.signalCode !== null) return;
    } else if (!alive(pid) || !isAnvil(pid)) {
      return;
    }
    await sleep(50);
  }
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // already gone
  }
  if (gone) await gone;
}
