// Preloaded with NODE_OPTIONS=--require: every fetch fails the way Node 20's fetch fails
// on a machine that cannot resolve the host (TypeError "fetch failed", cause ENOTFOUND),
// so a test of the download-failure path behaves the same with or without a network.
globalThis.fetch = async (input) => {
  const host = new URL(String(input)).hostname;
  const cause = Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: "ENOTFOUND", hostname: host });
  throw new TypeError("fetch failed", { cause });
};
