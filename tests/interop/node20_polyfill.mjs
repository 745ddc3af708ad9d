// js-libp2p 3 uses Promise.withResolvers (Node.js 22); the machine's Node.js
// is 20. Loaded with `node --import` before the peer script.
if (typeof Promise.withResolvers !== 'function') {
  Promise.withResolvers = function withResolvers() {
    let resolve, reject
    const promise = new Promise((res, rej) => {
      resolve = res
      reject = rej
    })
    return { promise, resolve, reject }
  }
}
