import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { SandboxApplier, dockerOverSsh, localDockerRunner } from "./applier";
import { fakeBcrypt, fakeSsh } from "./applier/fakes";
import { DOCKER_HUB_REGISTRY, registryKeyOf, registryOfImage } from "./applier/remoteImage";
import { remoteDockerCommand } from "./applier/transports";
import type { DockerEngine, DockerInvocation, DockerRunnerFactory, ProcessResult } from "./applier/types";
import { SandboxDeployment } from "./support/deployment";
import { type Run, type Sandbox, onHost, startSandbox, stopSandbox } from "./support/sandbox";
import { PROJECT } from "../support/program";
import { SANDBOX_DIR, runSandboxScript } from "../firewall/support/sandboxHosts";

// Run with: npx vitest run -c test/e2e/applier/vitest.config.mts test/e2e/registryPull.test.ts
// Private registries (issue 13, item 5). The real RemoteImage pulls through the engine API
// with X-Registry-Auth from the docker provider's registryAuth only (terraform-provider-docker
// v4.5.0 resource_docker_image_funcs.go); the applier must do the same, and the program must
// give the provider those credentials. Part 1 pins the applier's model with fakes; part 2
// proves it against a real registry (Debian's docker-registry, TLS + htpasswd) on a sandbox.

const PASSWORD = "FAKE-REGISTRY-PASSWORD-5e1b";

// ---- part 1: the model, without hosts ------------------------------------------------

describe("which registry an image name names (parseImageOptions) and how registryAuth is keyed", () => {
  test.each([
    ["registry.sandbox.test:5000/cm/cm-api:sandbox", "registry.sandbox.test:5000"],
    ["registry.example.com/cm/cm-api@sha256:abc", "registry.example.com"],
    ["localhost/cm-api:1", "localhost"],
    ["mysql:8.0", DOCKER_HUB_REGISTRY],
    ["library/mysql:8.0", DOCKER_HUB_REGISTRY],
    // More than one "/" makes the first part a registry even without "." or ":".
    ["team/cm/cm-api:1", "team"],
  ])("%s -> %s", (image, registry) => {
    expect(registryOfImage(image)).toBe(registry);
  });

  test("an address is keyed without scheme or path, nothing else (no lower-casing, no default port)", () => {
    expect(registryKeyOf("https://registry.example.com:5000/v2/")).toBe("registry.example.com:5000");
    expect(registryKeyOf("http://Registry.Example.com")).toBe("Registry.Example.com");
    expect(registryKeyOf("registry.example.com")).toBe("registry.example.com");
  });
});

interface Pull {
  readonly image: string;
  /** auths key -> "user:password", decoded from the config.json the CLI was given. */
  readonly auths: Record<string, string>;
}

/**
 * A pretend engine: it pulls `images` only with the `accepted` credentials ("user:password"),
 * `publicImages` with none, and nothing else.
 */
function fakeEngine(registry: { readonly images: readonly string[]; readonly accepted: string; readonly publicImages?: readonly string[] }, present: Record<string, string> = {}) {
  const images = new Map(Object.entries(present));
  const pulls: Pull[] = [];
  const argvSeen: string[] = [];
  const answer = (args: readonly string[], invocation: DockerInvocation | undefined): ProcessResult => {
    argvSeen.push(args.join(" "));
    const name = args[args.length - 1] ?? "";
    if (args[0] === "image" && args[1] === "inspect") {
      const id = images.get(name);
      return id === undefined ? { exitCode: 1, stdout: "", stderr: `Error: No such image: ${name}` } : { exitCode: 0, stdout: JSON.stringify({ Id: id, RepoDigests: [`${name.split(":")[0] ?? name}@sha256:${"d".repeat(64)}`] }), stderr: "" };
    }
    if (args[0] === "pull") {
      if (invocation?.dockerConfig === undefined) throw new Error("a pull without its own docker config would use the host's login");
      const config = JSON.parse(invocation.dockerConfig) as { auths: Record<string, { auth: string }> };
      const auths = Object.fromEntries(Object.entries(config.auths).map(([key, value]) => [key, Buffer.from(value.auth, "base64").toString("utf8")]));
      pulls.push({ image: name, auths });
      const sent = auths[registryOfImage(name)];
      if (registry.publicImages?.includes(name)) {
        images.set(name, `sha256:${"c".repeat(64)}`);
        return { exitCode: 0, stdout: `${name}\n`, stderr: "" };
      }
      if (!registry.images.includes(name)) return { exitCode: 1, stdout: "", stderr: `Error response from daemon: manifest for ${name} not found` };
      if (sent === undefined) return { exitCode: 1, stdout: "", stderr: `Error response from daemon: Head "https://${registryOfImage(name)}/v2/x/manifests/y": no basic auth credentials` };
      if (sent !== registry.accepted) return { exitCode: 1, stdout: "", stderr: "Error response from daemon: unauthorized: authentication required" };
      images.set(name, `sha256:${"a".repeat(64)}`);
      return { exitCode: 0, stdout: `${name}\n`, stderr: "" };
    }
    if (args[0] === "image" && args[1] === "rm") {
      images.delete(name);
      return { exitCode: 0, stdout: "", stderr: "" };
    }
    throw new Error(`unexpected docker ${args.join(" ")}`);
  };
  const factory: DockerRunnerFactory = (_engine: DockerEngine) => async (args, _environment, invocation) => answer(args, invocation);
  return { factory, pulls, argvSeen, images };
}

describe("RemoteImage pulls with the provider's registryAuth only (applier, fake engine)", () => {
  const PRIVATE = "registry.example.com:5000/cm/cm-api:1";
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "registry-pull-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function up(engine: ReturnType<typeof fakeEngine>, registryAuth: docker.types.input.ProviderRegistryAuth[] | undefined, images: readonly string[], refresh = false) {
    const applier = new SandboxApplier({ statePath: join(dir, "state.json"), dockerRunnerFor: engine.factory, ssh: fakeSsh().executor, bcrypt: fakeBcrypt });
    await applier.install(PROJECT, "unit", { refresh });
    const provider = new docker.Provider("engine", { host: "ssh://root@192.0.2.10:22", registryAuth });
    images.forEach((name, index) => new docker.RemoteImage(`image-${index}`, { name, keepLocally: true }, { provider }));
    return applier.finish();
  }

  const auth = (password: string) => [{ address: "https://registry.example.com:5000", username: "deployer", password: pulumi.secret(password) }];

  test("the matching entry goes to that registry only; Docker Hub gets no credentials; the password is never in argv", async () => {
    const engine = fakeEngine({ images: [PRIVATE], accepted: `deployer:${PASSWORD}`, publicImages: ["mysql:8.0"] });
    await up(engine, auth(PASSWORD), [PRIVATE, "mysql:8.0"]);
    expect(engine.pulls).toEqual([
      { image: PRIVATE, auths: { "registry.example.com:5000": `deployer:${PASSWORD}` } },
      { image: "mysql:8.0", auths: {} },
    ]);
    expect(engine.argvSeen.join("\n")).not.toContain(PASSWORD);
  });

  test("an image already on the engine is used as it is: no pull, no credentials needed", async () => {
    const engine = fakeEngine({ images: [], accepted: "nobody:x" }, { [PRIVATE]: `sha256:${"b".repeat(64)}` });
    await up(engine, undefined, [PRIVATE]);
    expect(engine.pulls).toEqual([]);
  });

  test("a wrong password fails the step with the daemon's answer, naming the image", async () => {
    const engine = fakeEngine({ images: [PRIVATE], accepted: `deployer:${PASSWORD}` });
    const failure = await up(engine, auth("wrong-password-1"), [PRIVATE]).then(() => undefined, (error: unknown) => String(error));
    expect(failure).toContain(`docker:index/remoteImage:RemoteImage (image-0): Unable to read Docker image into resource: unable to pull image ${PRIVATE}: error pulling image ${PRIVATE}: Error response from daemon: unauthorized: authentication required`);
    expect(failure).not.toContain("wrong-password-1");
  });

  test("an entry for another registry (here: another port) sends nothing", async () => {
    const engine = fakeEngine({ images: [PRIVATE], accepted: `deployer:${PASSWORD}` });
    const other = [{ address: "registry.example.com", username: "deployer", password: pulumi.secret(PASSWORD) }];
    await expect(up(engine, other, [PRIVATE])).rejects.toThrow("no basic auth credentials");
    expect(engine.pulls).toEqual([{ image: PRIVATE, auths: {} }]);
  });

  test("Read: an image gone from the engine is pulled again on up --refresh (with the provider's current credentials)", async () => {
    const engine = fakeEngine({ images: [PRIVATE], accepted: `deployer:${PASSWORD}` });
    await up(engine, auth(PASSWORD), [PRIVATE]);
    await up(engine, auth(PASSWORD), [PRIVATE]);
    expect(engine.pulls).toHaveLength(1);
    engine.images.delete(PRIVATE);
    await up(engine, auth(PASSWORD), [PRIVATE], true);
    expect(engine.pulls).toHaveLength(2);
  });
});

describe("the docker CLI gets the pull's config.json in a private, temporary DOCKER_CONFIG", () => {
  let dir: string;
  let stub: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "docker-config-"));
    stub = join(dir, "docker");
    // Stands in for the docker CLI: reports what it was given.
    writeFileSync(
      stub,
      `#!/bin/sh\nprintf 'dir=%s\\n' "$DOCKER_CONFIG"\nprintf 'modes=%s %s\\n' "$(stat -c %a "$DOCKER_CONFIG")" "$(stat -c %a "$DOCKER_CONFIG/config.json")"\nprintf 'config=%s\\n' "$(cat "$DOCKER_CONFIG/config.json")"\nprintf 'args=%s\\n' "$*"\n`,
    );
    chmodSync(stub, 0o755);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const config = `{"auths":{"r.test:5000":{"auth":"${Buffer.from(`u:${PASSWORD}`).toString("base64")}"}}}`;

  function report(stdout: string): Record<string, string> {
    return Object.fromEntries(stdout.trim().split("\n").map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]));
  }

  test("local runner: 0700 folder, 0600 file, removed after the call", async () => {
    const result = await localDockerRunner("unix:///nowhere.sock", stub)(["pull", "--quiet", "r.test:5000/x:1"], undefined, { dockerConfig: config });
    const seen = report(result.stdout);
    expect(seen).toMatchObject({ modes: "700 600", config, args: "--host unix:///nowhere.sock pull --quiet r.test:5000/x:1" });
    expect(existsSync(seen.dir ?? "/")).toBe(false);
  });

  test("over ssh: the config travels on stdin, the remote shell makes and removes the folder", () => {
    const remote = remoteDockerCommand(["pull", "--quiet", "r.test:5000/x:1"], {}, { dockerConfig: config });
    expect(remote.command).not.toContain(PASSWORD);
    expect(remote.command).not.toContain(Buffer.from(`u:${PASSWORD}`).toString("base64"));
    // The remote login shell runs the command string; a local sh with the stub plays that part.
    const shell = spawnSync("/bin/sh", ["-c", remote.command], { input: remote.stdin, encoding: "utf8", env: { ...process.env, PATH: `${dir}:${process.env.PATH ?? ""}`, DOCKER_CONFIG: "/root/.docker" } });
    expect(shell.status, shell.stderr).toBe(0);
    const seen = report(shell.stdout);
    expect(seen).toMatchObject({ modes: "700 600", config, args: "pull --quiet r.test:5000/x:1" });
    expect(seen.dir).not.toBe("/root/.docker");
    expect(existsSync(seen.dir ?? "/")).toBe(false);
    expect(() => remoteDockerCommand(["pull", "x"], { A: "1" }, { dockerConfig: config })).toThrow(/not both/);
  });
});

// ---- part 2: a real registry on the sandbox -------------------------------------------

const PREFIX = process.env.CM_REGISTRY_SANDBOX_PREFIX ?? "cmregpull";
const PRODUCTION_IMAGES = ["cm-api", "cm-web", "cm-telegram", "cm-transfer", "cm-mysql"];
/** Pushed for the failure cases: on the registry, never on the engine before they run. */
const PROBE_REPOSITORY = "cm/cm-probe";

interface RegistryFacts {
  readonly address: string;
  readonly username: string;
  readonly passwordFile: string;
}

let sandbox: Sandbox;
let registry: RegistryFacts;
let registryContainer: string;
let password: string;
let deployment: SandboxDeployment | undefined;

const reference = (image: string) => `${registry.address}/cm/${image}:sandbox`;

function onFlaskHost(args: readonly string[], input?: string): Run {
  return onHost(sandbox.hosts.flaskhost, args, input);
}

function imageOnFlaskHost(name: string): string | undefined {
  const result = onFlaskHost(["docker", "image", "inspect", "--format", "{{.Id}}", name]);
  return result.status === 0 ? result.stdout.trim() : undefined;
}

function registryLog(): string[] {
  return execFileSync("docker", ["exec", registryContainer, "cat", "/var/log/docker-registry.log"], { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 }).split("\n");
}

function pushProbe(tag: string): string {
  execFileSync(join(SANDBOX_DIR, "push-images.sh"), [`local/cm-api:sandbox=${PROBE_REPOSITORY}:${tag}`], { env: { ...process.env, CM_SANDBOX_PREFIX: PREFIX }, stdio: ["ignore", "ignore", "inherit"], timeout: 10 * 60_000 });
  return `${registry.address}/${PROBE_REPOSITORY}:${tag}`;
}

/** One small "stack": a provider (with or without registryAuth) and one RemoteImage. */
async function applyImageStack(image: string, registryAuth: docker.types.input.ProviderRegistryAuth[] | undefined): Promise<string | undefined> {
  const scratch = mkdtempSync(join(tmpdir(), "registry-stack-"));
  const flask = sandbox.hosts.flaskhost;
  const transport = dockerOverSsh({ address: flask.address, port: flask.sshPort, user: "root", identityFile: sandbox.sshKey, hostKey: flask.hostKey });
  try {
    const applier = new SandboxApplier({ statePath: join(scratch, "state.json"), dockerRunnerFor: () => transport.run });
    await applier.install(PROJECT, "registry-probe");
    const provider = new docker.Provider("probe-docker", { host: `ssh://root@${flask.address}:${flask.sshPort}`, registryAuth });
    new docker.RemoteImage("probe-image", { name: image, keepLocally: true }, { provider });
    return await applier.finish().then(
      () => undefined,
      (error: unknown) => String(error),
    );
  } finally {
    transport.close();
    rmSync(scratch, { recursive: true, force: true });
  }
}

describe("a real registry with htpasswd auth on the sandbox", () => {
  beforeAll(() => {
    // A fresh sandbox, started as every sandbox e2e starts one: the images are pushed to
    // the registry, and the Flask host's engine holds none.
    runSandboxScript("down.sh", PREFIX, 5 * 60_000);
    sandbox = startSandbox(PREFIX);
    const state = JSON.parse(readFileSync(sandbox.statePath, "utf8")) as { registry: RegistryFacts; hosts: { registry: { container: string } } };
    registry = state.registry;
    registryContainer = state.hosts.registry.container;
    password = readFileSync(registry.passwordFile, "utf8");
  }, 45 * 60_000);

  afterAll(async () => {
    if (deployment !== undefined) {
      await deployment.destroy().catch(() => undefined);
      deployment.close();
    }
    if (process.env.CM_E2E_KEEP !== "1") stopSandbox(PREFIX);
  }, 10 * 60_000);

  test("the sandbox stack as committed pulls every image from the registry, as the configured user, with the password from sandboxState", async () => {
    for (const image of PRODUCTION_IMAGES) expect(imageOnFlaskHost(reference(image)), `${image} before`).toBeUndefined();
    // Nothing on the Flask host could authenticate a pull but the provider's registryAuth.
    expect(onFlaskHost(["test", "-e", "/root/.docker/config.json"]).status).not.toBe(0);
    const logStart = registryLog().length;

    // Pulumi.sandbox.yaml unchanged and no secret set: the password comes from the state file.
    deployment = new SandboxDeployment(sandbox);
    const applied = await deployment.apply();
    expect(applied.counters.resources.created).toBeGreaterThan(20);

    const pulls = registryLog().slice(logStart);
    const flaskAddress = `http.request.remoteaddr="${sandbox.hosts.flaskhost.address}:`;
    for (const image of PRODUCTION_IMAGES) {
      const imageId = imageOnFlaskHost(reference(image));
      expect(imageId, `${image} after`).toMatch(/^sha256:/);
      // The registry served this image's manifest to the Flask host's engine, authenticated as the stack's user.
      const served = pulls.filter((line) => line.includes("msg=GetImageManifest") && line.includes(`auth.user.name=${registry.username}`) && line.includes(`vars.name=cm/${image} `) && line.includes(flaskAddress));
      expect(served.length, `registry log: ${image} pulled as ${registry.username}`).toBeGreaterThan(0);
    }
    const running = onFlaskHost(["docker", "inspect", "--format", "{{.Name}} {{.State.Status}} {{.Image}}", "sandbox-api-server", "sandbox-mysql"]).stdout.trim().split("\n");
    expect(running).toEqual([`/sandbox-api-server running ${imageOnFlaskHost(reference("cm-api"))}`, `/sandbox-mysql running ${imageOnFlaskHost(reference("cm-mysql"))}`]);
    expect(JSON.stringify(applied.outputs)).not.toContain(password);
  }, 20 * 60_000);

  test("a wrong password fails the pull, naming the image; nothing is pulled", async () => {
    const image = pushProbe("wrong-password");
    expect(imageOnFlaskHost(image)).toBeUndefined();
    const failure = await applyImageStack(image, [{ address: registry.address, username: registry.username, password: pulumi.secret(`${password}-wrong`) }]);
    expect(failure).toContain(`unable to pull image ${image}: error pulling image ${image}: Error response from daemon:`);
    expect(failure).toMatch(/unauthorized|authentication required/);
    expect(failure).not.toContain(password);
    expect(imageOnFlaskHost(image)).toBeUndefined();
    expect(registryLog().some((line) => line.includes(`error authenticating user \\"${registry.username}\\"`) && line.includes(`vars.name=${PROBE_REPOSITORY} `))).toBe(true);
  }, 10 * 60_000);

  test("a docker login on the Flask host does not rescue a stack without registryAuth", async () => {
    const image = pushProbe("host-login");
    const login = onFlaskHost(["docker", "login", "--username", registry.username, "--password-stdin", registry.address], password);
    try {
      expect(login.stdout + login.stderr).toContain("Login Succeeded");
      expect(imageOnFlaskHost(image)).toBeUndefined();

      const failure = await applyImageStack(image, undefined);
      expect(failure).toContain(`unable to pull image ${image}: error pulling image ${image}: Error response from daemon:`);
      expect(failure).toContain("no basic auth credentials");
      expect(imageOnFlaskHost(image)).toBeUndefined();

      // The login itself is good: the host's own CLI pulls with it.
      expect(onFlaskHost(["docker", "pull", "--quiet", image]).status).toBe(0);
    } finally {
      onFlaskHost(["docker", "logout", registry.address]);
      onFlaskHost(["docker", "image", "rm", image]);
    }
  }, 10 * 60_000);
});
