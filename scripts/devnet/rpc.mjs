// JSON-RPC over HTTP for the devnet tools (Node's fetch, no dependencies).

export class RpcError extends Error {
  constructor(method, error) {
    super(`${method}: ${error.message} ${error.data ? JSON.stringify(error.data) : ""}`);
    this.code = error.code;
    this.data = typeof error.data === "string" ? error.data : error.data?.data;
  }
}

export class Rpc {
  constructor(url) {
    this.url = url;
    this.id = 0;
  }

  async call(method, params = []) {
    const body = JSON.stringify({ jsonrpc: "2.0", id: ++this.id, method, params });
    const res = await fetch(this.url, { method: "POST", headers: { "content-type": "application/json" }, body });
    const reply = await res.json();
    if (reply.error) throw new RpcError(method, reply.error);
    return reply.result;
  }

  // Sends from an unlocked dev account and waits for the receipt (automine).
  async send(tx) {
    const full = { gas: "0x7a1200", ...tx };
    const hash = await this.call("eth_sendTransaction", [full]);
    for (let i = 0; i < 200; i++) {
      const receipt = await this.call("eth_getTransactionReceipt", [hash]);
      if (receipt) return receipt;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`no receipt for ${hash}`);
  }

  // Like send, but throws with the revert data when the transaction fails.
  async sendOk(tx) {
    const receipt = await this.send(tx);
    if (receipt.status !== "0x1") {
      let data = "";
      try {
        await this.call("eth_call", [{ ...tx, gas: tx.gas ?? "0x7a1200" }, "0x" + (BigInt(receipt.blockNumber) - 1n).toString(16)]);
      } catch (e) {
        data = e.data ?? e.message;
      }
      throw new Error(`transaction reverted: ${data}`);
    }
    return receipt;
  }
}
