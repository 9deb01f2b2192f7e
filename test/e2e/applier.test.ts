import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { SandboxApplier, changeCount, htpasswdBcrypt } from "./applier";
import { containerPlan } from "./applier/containerArgs";
import { remoteDockerCommand } from "./applier/transports";
import { fakeBcrypt, fakeDocker, fakeSsh } from "./applier/fakes";
import { UnsupportedInputError } from "./applier/inputReader";
import { PINNED_HOST_ALIAS, knownHostsText, sshArgv, sshConfigText } from "./applier/sshSession";
import type { SshSession } from "./applier/types";
import { PROJECT, SECRET_KEYS, fakeSecret, stackConfig } from "../support/program";
import { REX_IMAGE_DIGESTS, applyRex } from "./support/rexThroughApplier";

// Run with: npx vitest run -c test/e2e/applier/vitest.config.mts test/e2e/applier.test.ts

const CONNECTION = { host: "192.0.2.10", port: 2222, user: "root", privateKey: "KEY", hostKey: "ssh-ed25519 AAAAhost", dialErrorLimit: 3, perDialTimeout: 15 };
const SESSION_FILES = { configFile: "/t/config", identityFile: "/t/identity", knownHostsFile: "/t/known_hosts" };

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "applier-test-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function applierWith(ssh = fakeSsh(), docker = fakeDocker()) {
  const applier = new SandboxApplier({ statePath: join(dir, "state.json"), dockerRunnerFor: docker.factory, ssh: ssh.executor, bcrypt: fakeBcrypt, healthPollIntervalMs: 1 });
  return { applier, ssh, docker };
}

/** One `pulumi up`: the declarations run as the program, then the delete phase. */
async function apply(applier: SandboxApplier, program: () => void) {
  await applier.install(PROJECT, "unit");
  program();
  return applier.finish();
}

function remoteCommand(name: string, args: Partial<command.remote.CommandArgs>, opts?: pulumi.CustomResourceOptions): command.remote.Command {
  return new command.remote.Command(name, { connection: CONNECTION, ...args }, opts);
}

const summary = (session: SshSession) => `${session.connection.host} ${session.command}`;

describe("container inputs → docker CLI", () => {
  const inputs = {
    name: "rex-api",
    image: "sha256:abc",
    command: ["gunicorn", "--bind", "0.0.0.0:3000", "app:create_app()"],
    envs: ["A=1", "DB_PASSWORD=s3cr3t value"],
    networksAdvanced: [
      { name: "rex-internal", aliases: ["api", "api-server"] },
      { name: "rex-egress", aliases: ["api"] },
    ],
    ports: [
      { internal: 8000, external: 8001, ip: "192.0.2.10", protocol: "tcp" },
      { internal: 53, external: 5353, ip: "::1", protocol: "udp" },
      { internal: 9000 },
    ],
    healthcheck: { tests: ["CMD", "python", "-c", `import socket; socket.create_connection(("127.0.0.1", 3000), 3).close()`], interval: "30s", timeout: "5s", retries: 3, startPeriod: "20s" },
    restart: "unless-stopped",
    logDriver: "json-file",
    logOpts: { "max-size": "10m", "max-file": "3" },
    memory: 384,
    memorySwap: 384,
    securityOpts: ["no-new-privileges:true"],
    capabilities: { drops: ["ALL"], adds: ["NET_BIND_SERVICE"] },
    readOnly: true,
    tmpfs: { "/tmp": "rw,size=64m", "/run/mysqld": "" },
    user: "10001:10001",
    volumes: [{ volumeName: "rex-mysql-data", containerPath: "/var/lib/mysql" }],
    mustRun: true,
  };

  test("maps every field, env values outside argv", () => {
    const plan = containerPlan(inputs);
    expect(plan.createArgs).toEqual([
      "create", "--name", "rex-api",
      "--publish", "192.0.2.10:8001:8000/tcp", "--publish", "[::1]:5353:53/udp", "--publish", "9000/tcp",
      "--health-cmd", `python -c 'import socket; socket.create_connection(("127.0.0.1", 3000), 3).close()'`,
      "--health-interval", "30s", "--health-timeout", "5s", "--health-start-period", "20s", "--health-retries", "3",
      "--restart", "unless-stopped", "--log-driver", "json-file", "--log-opt", "max-file=3", "--log-opt", "max-size=10m",
      "--memory", "384m", "--memory-swap", "384m", "--security-opt", "no-new-privileges:true",
      "--cap-drop", "ALL", "--cap-add", "NET_BIND_SERVICE", "--read-only",
      "--tmpfs", "/run/mysqld", "--tmpfs", "/tmp:rw,size=64m", "--user", "10001:10001",
      "--volume", "rex-mysql-data:/var/lib/mysql",
      "--env", "A", "--env", "DB_PASSWORD",
      "sha256:abc", "gunicorn", "--bind", "0.0.0.0:3000", "app:create_app()",
    ]);
    expect(plan.environment).toEqual({ A: "1", DB_PASSWORD: "s3cr3t value" });
    expect(plan.createArgs.join(" ")).not.toContain("s3cr3t");
    // Created on the default bridge, then moved to every listed network, as the provider does.
    expect(plan.networkConnects).toEqual([
      ["network", "connect", "--alias", "api", "--alias", "api-server", "rex-internal", "rex-api"],
      ["network", "connect", "--alias", "api", "rex-egress", "rex-api"],
    ]);
    expect(plan.mustRun).toBe(true);
  });

  test("the health-cmd string is parsed by /bin/sh back into the exact exec-form argv", () => {
    const argv = inputs.healthcheck.tests.slice(1);
    const healthCmd = containerPlan(inputs).createArgs[containerPlan(inputs).createArgs.indexOf("--health-cmd") + 1] ?? "";
    const shell = spawnSync("/bin/sh", ["-c", `printf '%s\\0' ${healthCmd}`], { encoding: "utf8" });
    expect(shell.stdout.split("\0").slice(0, -1)).toEqual(argv);
  });

  test("no env means no --env", () => {
    const plan = containerPlan({ name: "n", image: "i", envs: [] });
    expect(plan.createArgs).toEqual(["create", "--name", "n", "i"]);
    expect(plan.environment).toEqual({});
  });

  test.each([
    ["a top-level field", { ...inputs, privileged: true }, /"privileged"/],
    ["a nested field", { ...inputs, networksAdvanced: [{ name: "n", ipv4Address: "10.0.0.2" }] }, /"ipv4Address"/],
    ["a host-path volume", { ...inputs, volumes: [{ hostPath: "/etc", containerPath: "/x" }] }, /volumeName/],
    ["an env entry with a newline", { ...inputs, envs: ["A=1\n2"] }, /A contains a newline/],
    ["an env entry without a value", { ...inputs, envs: ["A"] }, /"A" is not NAME=value/],
  ])("rejects %s", (_label, bad, message) => {
    expect(() => containerPlan(bad)).toThrow(UnsupportedInputError);
    expect(() => containerPlan(bad)).toThrow(message);
  });
});

describe("ssh session", () => {
  test("argv pins the host key and passes the command string as one final argument", () => {
    const script = "/bin/bash -c 'set -e\necho \"$HOME\"'";
    const argv = sshArgv(CONNECTION, SESSION_FILES, script);
    expect(argv.slice(-5)).toEqual(["-l", "root", "192.0.2.10", "--", script]);
    expect(argv).toEqual(expect.arrayContaining(["-F", "/t/config", "-i", "/t/identity", "-p", "2222"]));
    for (const option of ["StrictHostKeyChecking=yes", "UserKnownHostsFile=/t/known_hosts", `HostKeyAlias=${PINNED_HOST_ALIAS}`, "GlobalKnownHostsFile=/dev/null", "BatchMode=yes", "IdentitiesOnly=yes", "ConnectionAttempts=4", "ConnectTimeout=15", "HostKeyAlgorithms=ssh-ed25519"]) {
      expect(argv[argv.indexOf(option) - 1], option).toBe("-o");
    }
    expect(argv.join(" ")).not.toContain("KEY");
    expect(knownHostsText(CONNECTION.hostKey)).toBe(`${PINNED_HOST_ALIAS} ssh-ed25519 AAAAhost\n`);
  });

  test("environment becomes SetEnv requests in the session's config file, not argv", () => {
    expect(sshConfigText({ TOKEN: `a "b" \\c`, LANG: "C.UTF-8" })).toBe(`SetEnv TOKEN="a \\"b\\" \\\\c" LANG="C.UTF-8"\n`);
    expect(sshConfigText({})).toBe("");
    expect(() => sshConfigText({ "BAD NAME": "x" })).toThrow(/not a variable name/);
    expect(() => sshConfigText({ A: "1\n2" })).toThrow(/newline/);
  });

  test("ssh itself reads the generated config (SetEnv) and options", () => {
    const config = join(dir, "config");
    writeFileSync(config, sshConfigText({ TOKEN: `a "b" \\c $HOME %h`, LANG: "C.UTF-8" }), { mode: 0o600 });
    const argv = sshArgv(CONNECTION, { ...SESSION_FILES, configFile: config, identityFile: join(dir, "id") }, "true");
    const parsed = spawnSync("ssh", ["-G", ...argv.slice(0, argv.indexOf("--"))], { encoding: "utf8" });
    expect(parsed.status, parsed.stderr).toBe(0);
    // Both variables: ssh would silently keep only the first of several SetEnv lines.
    expect(parsed.stdout.split("\n")).toEqual(expect.arrayContaining([`setenv TOKEN=a "b" \\c $HOME %h`, "setenv LANG=C.UTF-8"]));
    expect(parsed.stdout).toMatch(/^stricthostkeychecking true$/m);
    expect(parsed.stdout).toMatch(/^port 2222$/m);
  });
});

describe("docker over ssh", () => {
  test("env values travel on stdin to the remote shell, which exports them before exec docker", () => {
    const env = { SECRET: `it's "x" $HOME`, PLAIN: "1" };
    const remote = remoteDockerCommand(["create", "--env", "SECRET", "--env", "PLAIN", "img"], env);
    expect(remote.command).not.toContain("it's");
    expect(remote.stdin).toBe(`SECRET=it's "x" $HOME\nPLAIN=1\n`);
    // The remote login shell runs the command string; here a local sh plays that part.
    const shell = spawnSync("/bin/sh", ["-c", remote.command.replace("exec docker", "printf '%s|' \"$SECRET\" \"$PLAIN\"; printf '%s ' docker")], { input: remote.stdin, encoding: "utf8" });
    expect(shell.stdout).toBe(`it's "x" $HOME|1|docker create --env SECRET --env PLAIN img `);
    expect(remoteDockerCommand(["ps"])).toEqual({ command: "exec docker ps", stdin: undefined });
  });
});

describe("remote command lifecycle", () => {
  test("create, then unchanged runs nothing", async () => {
    const { applier, ssh } = applierWith();
    const first = await apply(applier, () => void remoteCommand("c", { create: "make", update: "remake", delete: "unmake", stdin: "input" }));
    expect(ssh.sessions.map(summary)).toEqual(["192.0.2.10 make"]);
    expect(ssh.sessions[0]?.stdin).toBe("input");
    expect(first.commands).toEqual({ create: 1, update: 0, delete: 0 });
    expect(first.sshSessions).toBe(1);
    expect(applier.record("command:remote:Command", "c")?.outputs.stdout).toBe("ran make");

    const second = await apply(applier, () => void remoteCommand("c", { create: "make", update: "remake", delete: "unmake", stdin: "input" }));
    expect(ssh.sessions).toHaveLength(1);
    expect(changeCount(second)).toBe(0);
    expect(second.resources.unchanged).toBe(1);
    expect(second.sshSessions).toBe(0);
  });

  test("environment: names sshd accepts are sent; any other aborts the command before it runs, as the provider's Setenv does", async () => {
    const sshd = (session: SshSession) => (session.command.startsWith("sshd -T") ? { exitCode: 0, stdout: "acceptenv LANG LC_*\n", stderr: "" } : { exitCode: 0, stdout: `ran ${session.command}\n`, stderr: "" });
    const { applier, ssh } = applierWith(fakeSsh(sshd));
    await apply(applier, () => void remoteCommand("ok", { create: "make", environment: { LANG: "C.UTF-8", LC_ALL: "C" } }));
    expect(ssh.sessions.map(summary).filter((line) => !line.includes("sshd -T"))).toEqual(["192.0.2.10 make"]);
    await expect(apply(applier, () => void remoteCommand("refused", { create: "deploy", environment: { TOKEN: "t" } }))).rejects.toThrow(/could not set environment variable "TOKEN"/);
    expect(ssh.sessions.map(summary)).not.toContain("192.0.2.10 deploy");
  });

  test("changed inputs run update, or create when update is unset; previous output in env unless disabled", async () => {
    const { applier, ssh } = applierWith();
    await apply(applier, () => void remoteCommand("c", { create: "v1", update: "up1" }));
    const updated = await apply(applier, () => void remoteCommand("c", { create: "v2", update: "up2" }));
    expect(updated.resources.updated).toBe(1);
    expect(ssh.sessions.map(summary)).toEqual(["192.0.2.10 v1", "192.0.2.10 up2"]);
    expect(ssh.sessions[1]?.environment).toEqual({ PULUMI_COMMAND_STDOUT: "ran v1" });

    await apply(applier, () => void remoteCommand("c", { create: "v3", addPreviousOutputInEnv: false }));
    expect(ssh.sessions.map(summary).slice(2)).toEqual(["192.0.2.10 v3"]);
    expect(ssh.sessions[2]?.environment).toEqual({});
  });

  test("a triggers change creates the new command before deleting the old one, over the old connection", async () => {
    const { applier, ssh } = applierWith();
    await apply(applier, () => void remoteCommand("c", { create: "install", delete: "uninstall", triggers: ["a"] }));
    const replaced = await apply(applier, () =>
      void remoteCommand("c", { connection: { ...CONNECTION, host: "192.0.2.99" }, create: "install2", delete: "uninstall2", triggers: ["b"] }),
    );
    expect(ssh.sessions.map(summary)).toEqual(["192.0.2.10 install", "192.0.2.99 install2", "192.0.2.10 uninstall"]);
    expect(replaced.resources.replaced).toBe(1);
    expect(replaced.commands).toEqual({ create: 1, update: 0, delete: 1 });
  });

  test("deleteBeforeReplace deletes the old command first", async () => {
    const { applier, ssh } = applierWith();
    const declare = (trigger: string, create: string) => void remoteCommand("c", { create, delete: `un${create}`, triggers: [trigger] }, { deleteBeforeReplace: true });
    await apply(applier, () => declare("a", "one"));
    await apply(applier, () => declare("b", "two"));
    expect(ssh.sessions.map(summary)).toEqual(["192.0.2.10 one", "192.0.2.10 unone", "192.0.2.10 two"]);
  });

  test("a command the program drops is deleted with its old inputs; destroy deletes newest first", async () => {
    const { applier, ssh } = applierWith();
    await apply(applier, () => {
      const first = remoteCommand("first", { create: "a", delete: "undo-a" });
      remoteCommand("second", { create: "b", delete: "undo-b" }, { dependsOn: [first] });
      remoteCommand("third", { create: "c", delete: "undo-c" }, { dependsOn: [first] });
    });
    const dropped = await apply(applier, () => {
      const first = remoteCommand("first", { create: "a", delete: "undo-a" });
      remoteCommand("second", { create: "b", delete: "undo-b" }, { dependsOn: [first] });
    });
    expect(dropped.resources.deleted).toBe(1);
    expect(ssh.sessions.map((session) => session.command).slice(3)).toEqual(["undo-c"]);
    const destroyed = await applier.destroy();
    expect(ssh.sessions.map((session) => session.command).slice(4)).toEqual(["undo-b", "undo-a"]);
    expect(destroyed.resources.deleted).toBe(2);
  });

  test("a failing command fails the apply with its stdout and stderr", async () => {
    const { applier } = applierWith(fakeSsh(() => ({ exitCode: 3, stdout: "partial output\n", stderr: "nginx: config test failed\n" })));
    const failed = apply(applier, () => void remoteCommand("c", { create: "install" }));
    await expect(failed).rejects.toThrow(/c: create failed: Process exited with status 3[\s\S]*partial output[\s\S]*nginx: config test failed/);
  });

  test("a failed command fails the apply even when a later resource waits on its output, and nothing after it runs", async () => {
    const { applier, ssh } = applierWith(fakeSsh((session) => (session.command === "first" ? { exitCode: 1, stdout: "", stderr: "broken\n" } : { exitCode: 0, stdout: "ok\n", stderr: "" })));
    const failed = apply(applier, () => {
      const first = remoteCommand("first", { create: "first" });
      remoteCommand("second", { create: first.stdout.apply((out) => `second ${out}`) });
      remoteCommand("third", { create: "third" }, { dependsOn: [first] });
    });
    await expect(failed).rejects.toThrow(/first: create failed: Process exited with status 1[\s\S]*broken/);
    expect(ssh.sessions.map((session) => session.command)).toEqual(["first"]);
  }, 20_000);

  test("an unknown command input fails", async () => {
    const { applier } = applierWith();
    await expect(apply(applier, () => void remoteCommand("c", { create: "x", connection: { ...CONNECTION, password: "pw" } }))).rejects.toThrow(/"password"/);
  });
});

describe("random password", () => {
  test("stable while keepers stay, regenerated (secret) when they change", async () => {
    const { applier } = applierWith();
    const declare = (rotation: string) => () => {
      const password = new random.RandomPassword("pw", { length: 24, special: false, keepers: { rotation } }, { additionalSecretOutputs: ["result"] });
      void password.result.apply((value) => value);
    };
    const type = "random:index/randomPassword:RandomPassword";
    await apply(applier, declare("1"));
    const first = applier.record(type, "pw")?.outputs;
    expect(first?.result).toMatch(/^[A-Za-z0-9]{24}$/);
    expect(first?.bcryptHash).toMatch(/^\$2a\$10\$[./A-Za-z0-9]{53}$/);

    expect(changeCount(await apply(applier, declare("1")))).toBe(0);
    expect(applier.record(type, "pw")?.outputs.result).toBe(first?.result);

    const rotated = await apply(applier, declare("2"));
    expect(rotated.resources.replaced).toBe(1);
    expect(applier.record(type, "pw")?.outputs.result).not.toBe(first?.result);
  });

  test("htpasswd produces a bcrypt hash the password verifies against", async () => {
    const hash = await htpasswdBcrypt()("correct horse");
    expect(hash).toMatch(/^\$2a\$10\$[./A-Za-z0-9]{53}$/);
    const file = join(dir, "htpasswd");
    writeFileSync(file, `u:${hash}\n`);
    expect(spawnSync("htpasswd", ["-vi", file, "u"], { input: "correct horse" }).status).toBe(0);
    expect(spawnSync("htpasswd", ["-vi", file, "u"], { input: "wrong" }).status).not.toBe(0);
  });
});

describe("the real program with fake transports", () => {
  test("applies every resource, then re-applies with zero changes, then destroys keeping the volume", async () => {
    const docker = fakeDocker(REX_IMAGE_DIGESTS);
    const { applier, ssh } = applierWith(fakeSsh(), docker);
    const first = await applyRex(applier);
    expect(first.counters.resources.created).toBeGreaterThan(10);
    expect(first.counters.commands.create).toBe(3);
    expect(first.outputs.operatorPassword).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(statSync(join(dir, "state.json")).mode & 0o777).toBe(0o600);

    const creates = docker.calls.filter((call) => call.args[0] === "create");
    expect(creates.map((call) => call.args[2]).sort()).toEqual(["rex-api-server", "rex-credit-transfer", "rex-mysql", "rex-telegram-bot", "rex-web-view"]);
    expect(docker.calls.every((call) => call.host.startsWith("ssh://"))).toBe(true);
    for (const key of SECRET_KEYS) expect(JSON.stringify(docker.calls.map((call) => call.args))).not.toContain(fakeSecret(key));
    expect(creates.find((call) => call.args[2] === "rex-mysql")?.environment?.MYSQL_PASSWORD).toBe(fakeSecret("dbPassword"));
    expect(creates.find((call) => call.args[2] === "rex-mysql")?.args).toContain(REX_IMAGE_DIGESTS["mysql:8.0"]);
    // The htpasswd line travels on stdin; the plaintext password never does.
    const htpasswd = ssh.sessions.find((session) => session.stdin?.includes("$2a$10$"));
    expect(htpasswd?.stdin).not.toContain(String(first.outputs.operatorPassword));

    const second = await applyRex(applier);
    expect(changeCount(second.counters)).toBe(0);
    expect(second.counters.sshSessions).toBe(0);
    expect(second.counters.dockerOperations).toBe(0);
    expect(second.outputs.operatorPassword).toBe(first.outputs.operatorPassword);

    const rotated = await applyRex(applier, { edge: JSON.stringify({ ...JSON.parse(stackConfig("rex")[`${PROJECT}:edge`] ?? "{}"), passwordRotation: "rotated" }) });
    expect(rotated.counters.resources.replaced).toBe(1);
    expect(rotated.counters.commands.update).toBe(1);
    expect(rotated.outputs.operatorPassword).not.toBe(first.outputs.operatorPassword);

    const callsBefore = docker.calls.length;
    const destroyed = await applier.destroy();
    const removals = docker.calls.slice(callsBefore).map((call) => call.args.join(" "));
    expect(removals.some((line) => line.startsWith("volume rm"))).toBe(false);
    expect(destroyed.resources.retained).toBe(1);
    expect(removals.findIndex((line) => line.startsWith("network rm rex-internal"))).toBeGreaterThan(removals.findIndex((line) => line.startsWith("rm --force --volumes rex-mysql")));
    expect(destroyed.commands.delete).toBe(3);
    expect(JSON.parse(readFileSync(join(dir, "state.json"), "utf8")).resources).toEqual({});
  });
});
