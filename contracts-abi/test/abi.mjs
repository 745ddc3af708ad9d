// The chain test's own Solidity ABI encoder (static and dynamic types, tuples
// and arrays, driven by the artifacts' ABI JSON). It only encodes the test's
// calls: the contracts are deployed by the agent (`codex-agent chain deploy`),
// so the test drives them through an encoder independent of agent/eth's, and
// the vectors (tests/data/codex-abi-vectors.json) pin both.

const WORD = 32;

function hex32(value) {
  let n = BigInt(value);
  if (n < 0n) n = (1n << 256n) + n; // two's complement for intN
  if (n >= 1n << 256n) throw new Error(`abi: value ${value} does not fit 256 bits`);
  return n.toString(16).padStart(64, "0");
}

function bytesHex(value) {
  if (typeof value === "string" && value.startsWith("0x")) return value.slice(2).toLowerCase();
  if (typeof value === "string") return Buffer.from(value, "utf8").toString("hex");
  return Buffer.from(value).toString("hex");
}

function padRight(hex) {
  const words = Math.ceil(hex.length / 64);
  return hex.padEnd(words * 64, "0");
}

function arrayInfo(type) {
  const m = type.match(/^(.*)\[(\d*)\]$/);
  return m ? { inner: m[1], length: m[2] === "" ? null : Number(m[2]) } : null;
}

function isDynamic(param) {
  const arr = arrayInfo(param.type);
  if (arr) return arr.length === null || isDynamic({ ...param, type: arr.inner });
  if (param.type === "bytes" || param.type === "string") return true;
  if (param.type === "tuple") return param.components.some(isDynamic);
  return false;
}

// Head/tail encoding of a list of values; offsets relative to the list start.
function encodeList(params, values) {
  if (params.length !== values.length) throw new Error(`abi: ${params.length} params, ${values.length} values`);
  const heads = [];
  const tails = [];
  let tailSize = params.reduce((n, p) => n + (isDynamic(p) ? WORD : staticSize(p)), 0);
  params.forEach((p, i) => {
    const enc = encodeValue(p, values[i]);
    if (isDynamic(p)) {
      heads.push(hex32(tailSize));
      tails.push(enc);
      tailSize += enc.length / 2;
    } else {
      heads.push(enc);
    }
  });
  return heads.join("") + tails.join("");
}

function staticSize(param) {
  const arr = arrayInfo(param.type);
  if (arr) return arr.length * staticSize({ ...param, type: arr.inner });
  if (param.type === "tuple") return param.components.reduce((n, c) => n + staticSize(c), 0);
  return WORD;
}

function encodeValue(param, value) {
  const arr = arrayInfo(param.type);
  if (arr) {
    const inner = { ...param, type: arr.inner };
    const list = encodeList(
      value.map(() => inner),
      value,
    );
    return arr.length === null ? hex32(value.length) + list : list;
  }
  const t = param.type;
  if (t === "tuple") {
    const values = Array.isArray(value) ? value : param.components.map((c) => value[c.name]);
    return encodeList(param.components, values);
  }
  if (t === "bytes" || t === "string") {
    const h = bytesHex(value);
    return hex32(h.length / 2) + padRight(h);
  }
  if (t === "address") return hex32(BigInt(value));
  if (t === "bool") return hex32(value ? 1 : 0);
  if (/^bytes\d+$/.test(t)) return bytesHex(value).padEnd(64, "0");
  if (/^u?int\d*$/.test(t)) return hex32(value);
  throw new Error(`abi: unsupported type ${t}`);
}

// Encodes arguments for a list of ABI params (function inputs, constructor).
export function encodeParams(params, values) {
  return encodeList(params, values);
}

function findFunction(abi, name, argCount) {
  const items = abi.filter((x) => x.type === "function" && x.name === name && x.inputs.length === argCount);
  if (items.length !== 1) throw new Error(`abi: no unique function ${name} with ${argCount} arguments`);
  return items[0];
}

// Canonical ABI type, tuples expanded: (uint256,(bytes,bytes32))[]
function canonicalType(param) {
  if (!param.type.startsWith("tuple")) return param.type;
  return `(${param.components.map(canonicalType).join(",")})${param.type.slice(5)}`;
}

// Calldata of a call by name; selectors come from the artifact.
export function encodeCall(artifact, name, values) {
  const fn = findFunction(artifact.abi, name, values.length);
  const signature = `${name}(${fn.inputs.map(canonicalType).join(",")})`;
  const selector = artifact.methodIdentifiers[signature];
  if (!selector) throw new Error(`abi: no selector for ${signature}`);
  return "0x" + selector + encodeParams(fn.inputs, values);
}

// Reads 32-byte word i of hex return data as a BigInt.
export function word(data, i = 0) {
  const h = data.startsWith("0x") ? data.slice(2) : data;
  return BigInt("0x" + (h.slice(i * 64, (i + 1) * 64) || "0"));
}
