// Deploys token, verifiers and marketplaces to a fresh local chain in the
// reference order, so the addresses equal the reference node's for chain 31337
// (spec §13.3): token nonce 0, mints 1-20, Groth16Verifier 21, TestVerifier 22,
// Marketplace 23, TestMarketplace 24.
import fs from "node:fs";
import path from "node:path";
import { encodeCall, encodeDeploy } from "./abi.mjs";

export function loadArtifact(root, name) {
  const file = path.join(root, "contracts-abi", "artifacts", `${name}.json`);
  return JSON.parse(fs.readFileSync(file, "utf8"));
}

// snarkjs verification_key.json -> the constructor's VerifyingKey struct,
// G2 as (real, imag) = (c0, c1).
export function verifyingKeyFromSnarkjs(vk) {
  if (vk.protocol !== "groth16" || vk.curve !== "bn128") throw new Error("verification key: not groth16/bn128");
  const g1 = (p) => ({ x: p[0], y: p[1] });
  const g2 = (p) => ({ x: { real: p[0][0], imag: p[0][1] }, y: { real: p[1][0], imag: p[1][1] } });
  return {
    alpha1: g1(vk.vk_alpha_1),
    beta2: g2(vk.vk_beta_2),
    gamma2: g2(vk.vk_gamma_2),
    delta2: g2(vk.vk_delta_2),
    ic: vk.IC.map(g1),
  };
}

// Mines until the chain is past block 256 (Proofs constructor requirement).
export async function minePastBlock256(rpc) {
  const n = Number(BigInt(await rpc.call("eth_blockNumber")));
  if (n <= 256) await rpc.call("anvil_mine", ["0x" + (257 - n).toString(16)]);
}

async function deploy(rpc, from, artifact, args, gasUsed) {
  const receipt = await rpc.sendOk({ from, data: encodeDeploy(artifact, args), gas: "0x1c9c380" });
  gasUsed[`deploy ${artifact.contractName}`] = Number(BigInt(receipt.gasUsed));
  return receipt.contractAddress;
}

// Returns { contracts, gasUsed }.
export async function deployAll({ root, rpc, accounts, preset, verificationKey }) {
  const deployer = accounts[0].address;
  const gasUsed = {};
  await minePastBlock256(rpc);
  const nonce = Number(BigInt(await rpc.call("eth_getTransactionCount", [deployer, "latest"])));
  if (nonce !== 0) throw new Error(`deployer nonce is ${nonce}, expected a fresh chain`);

  const token = loadArtifact(root, "TestToken");
  const tokenAddress = await deploy(rpc, deployer, token, [], gasUsed);
  const mint = BigInt(preset.token.mintPerAccount);
  for (const account of accounts.slice(0, preset.token.accounts)) {
    await rpc.sendOk({ from: deployer, to: tokenAddress, data: encodeCall(token, "mint", [account.address, mint]) });
  }

  const key = verifyingKeyFromSnarkjs(verificationKey);
  const groth16 = await deploy(rpc, deployer, loadArtifact(root, "Groth16Verifier"), [key], gasUsed);
  const testVerifier = await deploy(rpc, deployer, loadArtifact(root, "TestVerifier"), [], gasUsed);
  const config = preset.marketplace;
  const marketplace = await deploy(rpc, deployer, loadArtifact(root, "Marketplace"), [config, tokenAddress, groth16], gasUsed);
  const testMarketplace = await deploy(
    rpc,
    deployer,
    loadArtifact(root, "TestMarketplace"),
    [config, tokenAddress, testVerifier],
    gasUsed,
  );
  return {
    contracts: { token: tokenAddress, groth16Verifier: groth16, testVerifier, marketplace, testMarketplace },
    gasUsed,
  };
}
