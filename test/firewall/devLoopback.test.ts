import { execFileSync, spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FirewallSpec } from "../../render/firewall/types";
import { renderDockerUserFragment, tierChainName } from "../../render/firewall/dockerUser";
import { devSpec } from "./fixtures";
import { dockerIsAvailable } from "./support/sandboxHosts";

// Dev publishes web-view on 127.0.0.1 as well as on the LAN address. This machine's own
// Docker engine plays the dev PC: does the tier's DOCKER-USER chain (in FORWARD) touch a
// connection to the loopback binding? A network namespace behind a veth plays a LAN
// client, whose connections Docker DNATs and forwards, so the chain does see those.
const PREFIX = "cmlo";
const CONTAINER = `${PREFIX}-web`;
const NETNS = `${PREFIX}-client`;
const VETH_HOST = `${PREFIX}-h`;
const VETH_CLIENT = `${PREFIX}-c`;
/** The rendered chain under a test-only name, so a real tier chain on this machine is never touched. */
const CHAIN = `${PREFIX}-dev`;
/** The dev PC's LAN address (host end of the veth) and the LAN client. */
const LAN_ADDRESS = "10.147.51.1";
const CLIENT_ADDRESS = "10.147.51.2";
const WEB_PORT = 18347;
const BLOCKED = "000";
/** Answers 200 to any request on 8000: perl-base is in debian:bookworm-slim, python is not. */
const HTTP_SERVER = String.raw`$s = IO::Socket::INET->new(LocalPort => 8000, Listen => 16, ReuseAddr => 1) or die $!; while ($c = $s->accept) { while (<$c>) { last if /^\r?\n$/ } print $c "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok"; close $c }`;

function run(command: string, args: readonly string[]): string {
  return execFileSync(command, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 120_000 });
}

/** Cleanup: the thing may not exist (first run, or already removed). */
function quietly(command: string, args: readonly string[]): void {
  spawnSync(command, args, { stdio: "ignore", timeout: 60_000 });
}

function httpStatus(url: string, fromNamespace?: string): string {
  const curl = ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "3", url];
  const [command, ...args] = fromNamespace === undefined ? curl : ["ip", "netns", "exec", fromNamespace, ...curl];
  return spawnSync(command ?? "curl", args, { encoding: "utf8", timeout: 20_000 }).stdout.trim() || BLOCKED;
}

/** The tier's fragment as iptables commands: the jump inserted first (DOCKER-USER ends in RETURN on Docker 20.10). */
function installChain(spec: FirewallSpec): void {
  const rendered = renderDockerUserFragment(spec).replaceAll(tierChainName(spec.tier), CHAIN);
  run("iptables", ["-N", CHAIN]);
  for (const line of rendered.split("\n").filter((text) => text.startsWith("-A "))) {
    const args = line.split(" ");
    if (args[1] === "DOCKER-USER") args.splice(0, 2, "-I", "DOCKER-USER", "1");
    run("iptables", args);
  }
}

function removeChain(): void {
  for (let jumps = 0; jumps < 10; jumps += 1) {
    if (spawnSync("iptables", ["-D", "DOCKER-USER", "-j", CHAIN], { stdio: "ignore" }).status !== 0) break;
  }
  quietly("iptables", ["-F", CHAIN]);
  quietly("iptables", ["-X", CHAIN]);
}

function removeEverything(): void {
  removeChain();
  quietly("docker", ["rm", "-f", CONTAINER]);
  quietly("ip", ["netns", "del", NETNS]);
  quietly("ip", ["link", "del", VETH_HOST]);
}

async function waitForLanClient(): Promise<string> {
  let status = BLOCKED;
  for (let attempt = 0; attempt < 20 && status !== "200"; attempt += 1) {
    status = httpStatus(`http://${LAN_ADDRESS}:${WEB_PORT}/`, NETNS);
    if (status !== "200") await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return status;
}

describe("dev's loopback binding on a real Docker engine", { timeout: 120_000 }, () => {
  beforeAll(async () => {
    // A missing engine fails the run: a skipped host test must never read as a pass.
    if (!dockerIsAvailable()) throw new Error("Docker is not running: start dockerd (as .ci/run does); this test needs a real engine");
    execFileSync("bash", ["sandbox/base-image.sh"], { stdio: ["ignore", "ignore", "inherit"], timeout: 600_000 });
    removeEverything();
    run("ip", ["netns", "add", NETNS]);
    run("ip", ["link", "add", VETH_HOST, "type", "veth", "peer", "name", VETH_CLIENT]);
    run("ip", ["link", "set", VETH_CLIENT, "netns", NETNS]);
    run("ip", ["addr", "add", `${LAN_ADDRESS}/30`, "dev", VETH_HOST]);
    run("ip", ["link", "set", VETH_HOST, "up"]);
    const inClient = (...args: string[]) => run("ip", ["netns", "exec", NETNS, "ip", ...args]);
    inClient("addr", "add", `${CLIENT_ADDRESS}/30`, "dev", VETH_CLIENT);
    inClient("link", "set", VETH_CLIENT, "up");
    inClient("route", "add", "default", "via", LAN_ADDRESS);
    // The same two bindings the dev stack renders (render/containers.ts webViewPorts).
    run("docker", ["run", "-d", "--name", CONTAINER, "-p", `127.0.0.1:${WEB_PORT}:8000`, "-p", `${LAN_ADDRESS}:${WEB_PORT}:8000`, "debian:bookworm-slim", "perl", "-MIO::Socket::INET", "-e", HTTP_SERVER]);
    expect(await waitForLanClient(), "LAN client before any rule").toBe("200");
    expect(httpStatus(`http://127.0.0.1:${WEB_PORT}/`), "localhost before any rule").toBe("200");
  }, 660_000);

  afterAll(() => {
    removeEverything();
  }, 120_000);

  // The proxy is some other host: the LAN client is not allowed through.
  const rendered = devSpec({ webPort: WEB_PORT, apiPort: WEB_PORT + 1, proxyAddress: "192.0.2.5" });
  it.each([
    ["the dev tier's rendered rules", rendered],
    ["the same rules without their 127.0.0.1 allowance", { ...rendered, extraAllowedSources: [] }],
  ])("with %s in DOCKER-USER, localhost still answers and the LAN client is dropped", async (_name, spec) => {
    installChain(spec);
    try {
      expect(httpStatus(`http://127.0.0.1:${WEB_PORT}/`), "localhost -> loopback binding").toBe("200");
      expect(httpStatus(`http://${LAN_ADDRESS}:${WEB_PORT}/`, NETNS), "LAN client -> LAN binding").toBe(BLOCKED);
    } finally {
      removeChain();
    }
    // The drop came from the chain, not from something else on this machine.
    expect(await waitForLanClient(), "LAN client once the chain is gone").toBe("200");
  });
});
