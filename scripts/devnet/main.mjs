// Command line of scripts/devnet-chain (see usage()).
import fs from "node:fs";
import { isAnvil, stopPid } from "./anvil.mjs";
import { startDevnet, writeJson } from "./devnet.mjs";

function usage() {
  return `usage: devnet-chain [start] [options]   start anvil and deploy (foreground until SIGINT/SIGTERM)
       devnet-chain stop --pid-file FILE    stop a detached devnet
options:
  --port N                 RPC port on 127.0.0.1 (default: a free port)
  --preset NAME|FILE       devnet (10 s periods, default) | reference | a preset JSON file
  --verification-key FILE  snarkjs verification key for Groth16Verifier
                           (default configs/verification_key_hardhat.json)
  --test-verifier          the agent's marketplace is TestMarketplace (TestVerifier accepts any non-zero proof)
  --out FILE               devnet JSON to write (default devnet.json)
  --detach                 deploy, write --pid-file and exit, leaving anvil running
  --pid-file FILE          pid file of anvil (default devnet.pid)
  --log FILE               append anvil's output to FILE`;
}

function parseArgs(argv) {
  const opts = { command: "start", out: "devnet.json", pidFile: "devnet.pid" };
  const valued = { "--port": "port", "--preset": "preset", "--verification-key": "verificationKey", "--out": "out", "--pid-file": "pidFile", "--log": "logFile" };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "start" || a === "stop") opts.command = a;
    else if (a === "--test-verifier") opts.testVerifier = true;
    else if (a === "--detach") opts.detached = true;
    else if (a === "-h" || a === "--help") opts.command = "help";
    else if (valued[a] && i + 1 < argv.length) opts[valued[a]] = argv[++i];
    else throw new Error(`unknown argument ${a}\n${usage()}`);
  }
  if (opts.port !== undefined) {
    opts.port = Number(opts.port);
    if (!Number.isInteger(opts.port) || opts.port <= 0 || opts.port > 65535) throw new Error("--port: not a port");
  }
  return opts;
}

async function stopCommand(opts) {
  if (!fs.existsSync(opts.pidFile)) throw new Error(`no pid file ${opts.pidFile}`);
  const pid = Number(fs.readFileSync(opts.pidFile, "utf8").trim());
  if (isAnvil(pid)) await stopPid(pid, null);
  else console.error(`devnet: pid ${pid} is not a running anvil`);
  fs.rmSync(opts.pidFile, { force: true });
  console.log(`devnet: stopped ${pid}`);
}

async function startCommand(opts) {
  // a signal during deployment must still stop anvil
  let stopping = null;
  let handle = null;
  const onSignal = (sig) => {
    if (stopping) return;
    stopping = (async () => {
      if (handle) await handle.stop();
      fs.rmSync(opts.out, { force: true });
      if (!opts.detached) fs.rmSync(opts.pidFile, { force: true });
      console.log(`devnet: stopped (${sig})`);
      process.exit(0);
    })();
  };
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(sig, onSignal);

  handle = await startDevnet(opts);
  if (stopping) return;
  writeJson(opts.out, handle.devnet);
  fs.writeFileSync(opts.pidFile, `${handle.anvil.pid}\n`);
  console.log(`devnet: ${handle.devnet.rpcUrl} marketplace ${handle.devnet.marketplace} -> ${opts.out}`);
  if (opts.detached) {
    console.log(`devnet: anvil pid ${handle.anvil.pid} in ${opts.pidFile}; stop with: devnet-chain stop --pid-file ${opts.pidFile}`);
    process.exit(0);
  }
  handle.anvil.child.on("exit", (code, signal) => {
    if (stopping) return;
    console.error(`devnet: anvil exited (${code ?? signal})`);
    fs.rmSync(opts.out, { force: true });
    fs.rmSync(opts.pidFile, { force: true });
    process.exit(1);
  });
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.command === "help") console.log(usage());
  else if (opts.command === "stop") await stopCommand(opts);
  else await startCommand(opts);
}

main().catch((e) => {
  console.error(`devnet: ${e.message}`);
  process.exit(1);
});
