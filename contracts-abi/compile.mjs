#!/usr/bin/env node
// Compiles contracts-abi/contracts/*.sol offline with the pinned solc-js into
// contracts-abi/artifacts/<Name>.json (ABI, bytecode, selectors, topics).
//
//   node contracts-abi/compile.mjs          write the artifacts
//   node contracts-abi/compile.mjs --check  fail unless every committed artifact
//                                           records the current sources' hash and
//                                           the pinned compiler and settings (fast)
//   node contracts-abi/compile.mjs --check --full
//                                           recompile and fail if any committed
//                                           artifact differs from the output
import { createRequire } from "node:module";
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "..");
const require = createRequire(path.join(root, "package.json"));
const { keccak256 } = require("js-sha3");

const SOLC_VERSION = "0.8.28";
// Deployable contracts that become artifacts; the rest are bases and libraries.
const TARGETS = ["Marketplace", "TestMarketplace", "Groth16Verifier", "TestVerifier", "TestToken"];
const SETTINGS = {
  optimizer: { enabled: true, runs: 1000 },
  evmVersion: "paris",
  outputSelection: {
    "*": { "*": ["abi", "evm.bytecode.object", "evm.deployedBytecode.object", "evm.methodIdentifiers"] },
  },
};

const contractsDir = path.join(here, "contracts");
const artifactsDir = path.join(here, "artifacts");

function fail(message) {
  console.error(`compile: ${message}`);
  process.exit(1);
}

// @openzeppelin/... and other package imports resolve from ./node_modules only.
function findImport(importPath) {
  const file = path.join(root, "node_modules", importPath);
  if (!file.startsWith(path.join(root, "node_modules") + path.sep) || !fs.existsSync(file)) {
    return { error: `import not found: ${importPath}` };
  }
  return { contents: fs.readFileSync(file, "utf8") };
}

function readSources() {
  const sources = {};
  for (const name of fs.readdirSync(contractsDir).sort()) {
    if (name.endsWith(".sol")) sources[name] = { content: fs.readFileSync(path.join(contractsDir, name), "utf8") };
  }
  return sources;
}

// sha256 over every source the compilation reads (ours and, following the
// imports, OpenZeppelin's), in name order; names as solc resolves them.
function sourcesHash(sources) {
  const texts = {};
  const pending = Object.keys(sources);
  while (pending.length > 0) {
    const name = pending.pop();
    if (texts[name] !== undefined) continue;
    const text = sources[name] ? sources[name].content : findImport(name).contents;
    if (text === undefined) fail(`import not found: ${name}`);
    texts[name] = text;
    for (const m of text.matchAll(/^\s*import\s+(?:[^"';]*from\s+)?["']([^"']+)["']/gm)) {
      const target = m[1].startsWith(".") ? path.posix.normalize(path.posix.join(path.posix.dirname(name), m[1])) : m[1];
      pending.push(target);
    }
  }
  const hash = createHash("sha256");
  const names = Object.keys(texts).sort();
  for (const name of names) hash.update(`${name}\0${texts[name]}\0`);
  return { sha256: hash.digest("hex"), names };
}

// Canonical ABI type, tuples expanded: (uint256,(bytes,bytes32))[]
function canonicalType(param) {
  if (!param.type.startsWith("tuple")) return param.type;
  return `(${param.components.map(canonicalType).join(",")})${param.type.slice(5)}`;
}

function signature(item) {
  return `${item.name}(${item.inputs.map(canonicalType).join(",")})`;
}

// Event topic0 and error selectors, recorded for readers without keccak.
function hashes(abi) {
  const events = {};
  const errors = {};
  for (const item of abi) {
    if (item.type === "event") events[signature(item)] = "0x" + keccak256(signature(item));
    if (item.type === "error") errors[signature(item)] = "0x" + keccak256(signature(item)).slice(0, 8);
  }
  return { events, errors };
}

function compile() {
  const solc = require("solc"); // loaded only here: it takes a while
  if (solc.version().split("+")[0] !== SOLC_VERSION) {
    fail(`solc-js ${solc.version()} found, ${SOLC_VERSION} required (npm ci)`);
  }
  const sources = readSources();
  const input = { language: "Solidity", sources, settings: SETTINGS };
  const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImport }));
  const errors = (output.errors || []).filter((e) => e.severity === "error");
  for (const e of output.errors || []) console.error(e.formattedMessage);
  if (errors.length > 0) fail(`${errors.length} compiler error(s)`);

  const { sha256: sourcesSha256, names } = sourcesHash(sources);
  if (names.join() !== Object.keys(output.sources).sort().join()) fail("import scan disagrees with solc's source list");

  const artifacts = {};
  for (const target of TARGETS) {
    const contract = output.contracts[`${target}.sol`]?.[target];
    if (!contract) fail(`contract ${target} not found in ${target}.sol`);
    const artifact = {
      contractName: target,
      sourceName: `contracts-abi/contracts/${target}.sol`,
      compiler: { name: "solc-js", version: solc.version(), settings: { ...SETTINGS, outputSelection: undefined } },
      sourcesSha256,
      abi: contract.abi,
      bytecode: "0x" + contract.evm.bytecode.object,
      deployedBytecode: "0x" + contract.evm.deployedBytecode.object,
      methodIdentifiers: contract.evm.methodIdentifiers,
      ...hashes(contract.abi),
    };
    artifacts[target] = JSON.stringify(artifact, null, 1) + "\n";
  }
  return artifacts;
}

// The committed artifacts were made from these sources by the pinned compiler.
function quickCheck() {
  const { sha256 } = sourcesHash(readSources());
  let stale = 0;
  for (const target of TARGETS) {
    const file = path.join(artifactsDir, `${target}.json`);
    const artifact = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : {};
    const settings = JSON.stringify({ ...SETTINGS, outputSelection: undefined });
    if (
      artifact.sourcesSha256 !== sha256 ||
      artifact.compiler?.version?.split("+")[0] !== SOLC_VERSION ||
      JSON.stringify(artifact.compiler?.settings) !== settings
    ) {
      console.error(`compile: ${target}.json is stale: run node contracts-abi/compile.mjs`);
      stale++;
    }
  }
  if (stale > 0) process.exit(1);
  console.log(`compile: ${TARGETS.length} artifacts match the sources (sha256 ${sha256.slice(0, 16)}…)`);
}

function main() {
  const check = process.argv.includes("--check");
  if (check && !process.argv.includes("--full")) return quickCheck();
  const artifacts = compile();
  if (check) {
    let stale = 0;
    for (const [name, text] of Object.entries(artifacts)) {
      const file = path.join(artifactsDir, `${name}.json`);
      if (!fs.existsSync(file) || fs.readFileSync(file, "utf8") !== text) {
        console.error(`compile: ${name}.json is stale: run node contracts-abi/compile.mjs`);
        stale++;
      }
    }
    const extra = fs.readdirSync(artifactsDir).filter((f) => f.endsWith(".json") && !artifacts[f.slice(0, -5)]);
    for (const f of extra) console.error(`compile: ${f} has no source contract`);
    if (stale > 0 || extra.length > 0) process.exit(1);
    console.log(`compile: ${Object.keys(artifacts).length} artifacts up to date`);
    return;
  }
  fs.mkdirSync(artifactsDir, { recursive: true });
  for (const [name, text] of Object.entries(artifacts)) {
    fs.writeFileSync(path.join(artifactsDir, `${name}.json`), text);
    const size = (JSON.parse(text).deployedBytecode.length - 2) / 2;
    console.log(`compile: ${name}.json (runtime ${size} bytes)`);
  }
}

main();
