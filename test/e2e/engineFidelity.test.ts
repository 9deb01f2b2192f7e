import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as command from "@pulumi/command";
import * as docker from "@pulumi/docker";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { SandboxApplier, changeCount, dockerOverSsh, localDockerRunner, openSshExecutor, type DockerRunner } from "./applier";
import { fakeBcrypt, fakeSsh } from "./applier/fakes";
import { PROJECT } from "../support/program";
import { type SandboxState, loadSandbox, runSandboxScript, stopSandbox } from "../firewall/support/sandboxHosts";
import { run } from "./support/sandbox";

// The provider behaviours the program relies on, shown through the applier on REAL
// engines: the sandbox Flask host's Docker (over ssh, as the provider reaches it) and this
// machine's own Docker as a second engine. Small programs, so each behaviour stands alone;
// providerFidelity.test.ts shows that the real program sets what these rely on.
const PREFIX = process.env.CM_FIDELITY_PREFIX ?? "cmfid";
const LOCAL_ENGINE = "unix:///var/run/docker.sock";
/** The sandbox base image: on this machine already, loaded into the Flask host below. */
const IMAGE = "debian:bookworm-slim";

let sandbox: SandboxState;
let flaskEngine: string;
let flask: { readonly run: DockerRunner; readonly close: () => void };
const local = localDockerRunner(LOCAL_ENGINE);
const scratch = mkdtempSync(join(tmpdir(), "cm-fidelity-"));

beforeAll(async () => {
  runSandboxScript("up.sh", PREFIX, 20 * 60_000);
  sandbox = loadSandbox(PREFIX);
  const host = sandbox.hosts.flaskhost;
  flaskEngine = `ssh://root@${host.address}:${host.sshPort}`;
  flask = dockerOverSsh({ address: host.address, port: host.sshPort, user: "root", identityFile: sandbox.sshKey, hostKey: host.hostKey });
  const loaded = run("sh", ["-c", `docker save ${IMAGE} | docker exec -i ${host.container} docker load`], { timeoutMs: 300_000 });
  expect(loaded.status, loaded.stderr).toBe(0);
}, 25 * 60_000);

afterEach(async () => {
  await removeTestObjects();
}, 60_000);

afterAll(() => {
  flask?.close();
  rmSync(scratch, { recursive: true, force: true });
  if (process.env.CM_E2E_KEEP !== "1") stopSandbox(PREFIX);
}, 5 * 60_000);

let states = 0;
function newApplier(ssh = fakeSsh().executor): SandboxApplier {
  states += 1;
  return new SandboxApplier({
    statePath: join(scratch, `state-${states}.json`),
    dockerRunnerFor: (engine) => (engine.host === LOCAL_ENGINE ? local : flask.run),
    ssh,
    bcrypt: fakeBcrypt,
  });
}

async function apply(applier: SandboxApplier, program: () => void, refresh = false) {
  await applier.install(PROJECT, "fidelity", { refresh });
  program();
  return applier.finish();
}

async function ps(engine: DockerRunner, name: string): Promise<string> {
  return (await engine(["ps", "-a", "--filter", `name=^${name}$`, "--format", "{{.Names}} {{.Status}}"])).stdout.trim();
}

/** The live check's interval in nanoseconds, as the engine stores it. */
async function healthInterval(name: string): Promise<string> {
  return (await flask.run(["inspect", "--format", "{{json .Config.Healthcheck.Interval}}", name])).stdout.trim();
}

/** Each test starts from engines without its names, whatever the one before left. */
async function removeTestObjects(): Promise<void> {
  for (const engine of [local, flask.run]) {
    await engine(["rm", "--force", "fid-app", "fid-broken", "fid-looping"]);
    await engine(["network", "rm", "fid-net"]);
  }
}

const sleeper = { image: IMAGE, command: ["sleep", "infinity"], user: "65534:65534", readOnly: true, capabilities: { drops: ["ALL"] }, securityOpts: ["no-new-privileges:true"] };
const check = (interval: string) => ({ tests: ["CMD", "true"], interval, timeout: "2s", retries: 2, startPeriod: "0s" });

describe("Create's wait, on a real engine", () => {
  test("a container that never becomes healthy fails up, naming it", async () => {
    const applier = newApplier();
    const program = () => {
      const provider = new docker.Provider("engine", { host: flaskEngine });
      new docker.Container(
        "fid-broken",
        { name: "fid-broken", ...sleeper, healthcheck: { ...check("1s"), tests: ["CMD", "false"], retries: 1 }, wait: true, waitTimeout: 8 },
        { provider },
      );
    };
    await expect(apply(applier, program)).rejects.toThrow(/docker:index\/container:Container \(fid-broken\): container failed to be in healthy state/);
    await applier.destroy();
  }, 120_000);

  test("without wait, a crash-looping container passes (mustRun only starts it)", async () => {
    const applier = newApplier();
    const program = () => {
      const provider = new docker.Provider("engine", { host: flaskEngine });
      new docker.Container("fid-looping", { name: "fid-looping", ...sleeper, command: ["false"], restart: "always", mustRun: true }, { provider });
    };
    expect((await apply(applier, program)).resources.created).toBe(1);
    await new Promise((done) => setTimeout(done, 3000));
    expect(await ps(flask.run, "fid-looping")).toMatch(/Restarting|Up Less than a second|Exited/);
    await applier.destroy();
  }, 120_000);
});

describe("a health-check change, on a real engine", () => {
  const program = (interval: string, replaceOnChanges: string[]) => () => {
    const provider = new docker.Provider("engine", { host: flaskEngine });
    new docker.Container("fid-app", { name: "fid-app", ...sleeper, healthcheck: check(interval), wait: true, waitTimeout: 30 }, { provider, replaceOnChanges });
  };

  test("without replaceOnChanges the plan says update and the live check stays the old one", async () => {
    const applier = newApplier();
    await apply(applier, program("2s", []));
    const changed = await apply(applier, program("3s", []));
    expect(changed.resources.updated).toBe(1);
    expect(await healthInterval("fid-app")).toBe("2000000000");
    await applier.destroy();
  }, 180_000);

  test("named in replaceOnChanges, the container is replaced and the new check is live", async () => {
    const applier = newApplier();
    await apply(applier, program("2s", ["healthcheck"]));
    const changed = await apply(applier, program("3s", ["healthcheck"]));
    expect(changed.resources.replaced).toBe(1);
    expect(await healthInterval("fid-app")).toBe("3000000000");
    // The provider's Read of what it just made plans nothing (durations as Go prints them).
    expect(changeCount(await apply(applier, program("3s", ["healthcheck"]), true))).toBe(0);
    await applier.destroy();
  }, 180_000);
});

describe("moving to another engine", () => {
  const program = (host: string, followHost: boolean) => () => {
    const provider = new docker.Provider("engine", { host }, followHost ? { replaceOnChanges: ["host"] } : {});
    const replaceWith = followHost ? [provider] : [];
    const network = new docker.Network("fid-net", { name: "fid-net" }, { provider, replaceWith, deleteBeforeReplace: true });
    new docker.Container("fid-app", { name: "fid-app", ...sleeper, networksAdvanced: [{ name: network.name }], healthcheck: check("1s"), wait: true }, { provider, replaceWith });
  };

  test("a provider updated in place leaves everything on the old engine", async () => {
    const applier = newApplier();
    await apply(applier, program(flaskEngine, false));
    const moved = await apply(applier, program(LOCAL_ENGINE, false));
    expect(changeCount(moved)).toBe(0);
    expect(await ps(flask.run, "fid-app")).toMatch(/^fid-app Up/);
    expect(await ps(local, "fid-app")).toBe("");
    // The state's deletes would now go to the new engine and miss these: afterEach removes them by hand.
  }, 180_000);

  test("a replaced provider moves every resource: nothing is left on the old engine", async () => {
    const applier = newApplier();
    await apply(applier, program(flaskEngine, true));
    expect(await ps(flask.run, "fid-app")).toMatch(/^fid-app Up/);
    const moved = await apply(applier, program(LOCAL_ENGINE, true));
    expect(moved.resources.replaced).toBe(2);
    expect(await ps(flask.run, "fid-app")).toBe("");
    expect((await flask.run(["network", "ls", "--filter", "name=^fid-net$", "--format", "{{.Name}}"])).stdout.trim()).toBe("");
    expect(await ps(local, "fid-app")).toMatch(/^fid-app Up/);
    await applier.destroy();
    expect(await ps(local, "fid-app")).toBe("");
  }, 180_000);
});

describe("host-key pins, against the sandbox's OpenSSH", () => {
  const pinned = (hostKey: string) => () => {
    const host = sandbox.hosts.flaskhost;
    new command.remote.Command("fid-pin", {
      connection: { host: host.address, port: host.sshPort, user: "root", privateKey: readFileSync(sandbox.sshKey, "utf8"), hostKey, dialErrorLimit: 0 },
      create: "true",
    });
  };

  test("an ssh-rsa pin fails: the provider offers only the pin's own type, SHA-1 ssh-rsa, which OpenSSH >= 8.8 refuses", async () => {
    const rsaKey = run("docker", ["exec", sandbox.hosts.flaskhost.container, "cat", "/etc/ssh/ssh_host_rsa_key.pub"]).stdout.trim().split(" ").slice(0, 2).join(" ");
    expect(rsaKey).toMatch(/^ssh-rsa AAAA/);
    // ssh runs at LogLevel ERROR for the applier, so the dial failure shows as ssh's 255.
    await expect(apply(newApplier(openSshExecutor()), pinned(rsaKey))).rejects.toThrow(/command:remote:Command \(fid-pin\): .*status 255/);
    // Why, in ssh's words: the server no longer offers SHA-1 "ssh-rsa" host-key signatures.
    const host = sandbox.hosts.flaskhost;
    const why = run("ssh", ["-F", "/dev/null", "-i", sandbox.sshKey, "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "HostKeyAlgorithms=ssh-rsa", "-p", String(host.sshPort), `root@${host.address}`, "true"]);
    expect(why.stderr).toMatch(/no matching host key type found\. Their offer: .*rsa-sha2-512/);
  }, 60_000);

  test("the ed25519 pin of the same host works", async () => {
    const applied = await apply(newApplier(openSshExecutor()), pinned(sandbox.hosts.flaskhost.hostKey));
    expect(applied.commands.create).toBe(1);
  }, 60_000);
});
