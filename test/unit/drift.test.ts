import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { readStackFile } from "../../config/stackFile";
import { compareHost, renderTable, ruleKey } from "../../drift/compare";
import { expectedState } from "../../drift/expected";
import { parseProbeOutput, renderProbeScript } from "../../drift/probe";
import type { HostExpectations } from "../../drift/types";

const rex = expectedState(readStackFile("rex").config);
const flask = rex.find((host) => host.role === "flask") as HostExpectations;
const aapanel = rex.find((host) => host.role === "aapanel") as HostExpectations;

describe("what drift expects", () => {
  test("rex: the nginx site file, no zone file of the old layout, and the htpasswd on the aaPanel host", () => {
    expect(aapanel.host.address).toBe("192.0.2.5");
    expect(aapanel.expectations.map((expectation) => expectation.artifact)).toEqual([
      "nginx /www/server/panel/vhost/nginx/cm-infra-rex.conf",
      "nginx /www/server/panel/vhost/nginx/0.cm-infra-rex.conf",
      "htpasswd /www/server/pass/cm-infra-rex/rex.htpasswd",
    ]);
  });

  test("rex: firewall fragment, chain, jump, tagged ufw rules and the five containers on the Flask host", () => {
    const kinds = flask.expectations.map((expectation) => expectation.kind);
    expect(kinds).toEqual(["file", "jump", "chain", "ufw", "container", "container", "container", "container", "container"]);
    const chain = flask.expectations.find((expectation) => expectation.kind === "chain");
    expect(chain?.kind === "chain" && chain.rules.join("\n")).toContain("--ctorigdstport 8001");
  });

  test("a dev stack without the public vhost expects nothing on the aaPanel host", () => {
    const dev = readStackFile("dev").config;
    expect(expectedState({ ...dev, publishThroughEdge: false }).map((host) => host.role)).toEqual(["flask"]);
  });
});

describe("the probe script, run for real", () => {
  const scratch = mkdtempSync(join(tmpdir(), "cm-drift-"));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  test("passes shellcheck", () => {
    const result = spawnSync("shellcheck", ["-s", "bash", "-"], { input: renderProbeScript([...aapanel.expectations, ...flask.expectations]), encoding: "utf8" });
    expect(result.stdout + result.stderr).toBe("");
    expect(result.status).toBe(0);
  });

  test("reports file hashes, missing files, files that must be gone and the htpasswd's shape without its hash", () => {
    const conf = join(scratch, "site.conf");
    const htpasswd = join(scratch, "rex.htpasswd");
    writeFileSync(conf, "server {}\n");
    const hash = "$2a$10$abcdefghijklmnopqrstuuJ0m7Cz5o2u0ZcJZq8vQ8Vq8Vq8Vq8Vq";
    writeFileSync(htpasswd, `rex-operator:${hash}\n`);
    const expectations = [
      { kind: "file" as const, artifact: "conf", path: conf, sha256: "0".repeat(64) },
      { kind: "file" as const, artifact: "gone", path: join(scratch, "gone.conf"), sha256: "0".repeat(64) },
      { kind: "htpasswd" as const, artifact: "htpasswd", path: htpasswd, user: "rex-operator" },
      { kind: "absent" as const, artifact: "leftover", path: conf },
      { kind: "absent" as const, artifact: "removed", path: join(scratch, "gone.conf") },
    ];
    const output = execFileSync("bash", ["-s"], { input: renderProbeScript(expectations), encoding: "utf8" });
    expect(output).not.toContain(hash);
    const found = parseProbeOutput(output);
    expect(found.get(0)).toBe(execFileSync("sha256sum", [conf], { encoding: "utf8" }).split(" ")[0]);
    expect(found.get(1)).toBe("missing");
    expect(found.get(2)).toBe("user rex-operator bcrypt lines 1");
    expect([found.get(3), found.get(4)]).toEqual(["present", "absent"]);
    const rows = compareHost({ ...aapanel, expectations }, found);
    expect(rows.map((row) => row.status)).toEqual(["drift", "drift", "ok", "drift", "ok"]);
    expect(renderTable(rows)).not.toContain(hash);
  });
});

describe("judging what was found", () => {
  const found = (entries: [number, string][]) => new Map(entries);

  test("iptables rules match whatever order iptables prints their options in", () => {
    expect(ruleKey("-A cm-infra-rex -s 192.0.2.5/32 -p tcp -m conntrack --ctstate DNAT --ctdir ORIGINAL --ctorigdstport 8001 -j RETURN")).toBe(
      ruleKey("-A cm-infra-rex -p tcp -s 192.0.2.5 -m conntrack --ctorigdstport 8001 --ctdir ORIGINAL --ctstate DNAT -j RETURN"),
    );
  });

  test("a removed DOCKER-USER rule, a stopped container and a missing ufw rule are drift", () => {
    const index = (kind: string) => flask.expectations.findIndex((expectation) => expectation.kind === kind);
    const chain = flask.expectations[index("chain")];
    const ufw = flask.expectations[index("ufw")];
    if (chain?.kind !== "chain" || ufw?.kind !== "ufw") throw new Error("rex expectations changed");
    const allUfw = ufw.rules.map((rule) => `${rule} comment '${ufw.comment}'`).join("\n");
    const clean = found([
      [index("jump"), "1"],
      [index("chain"), chain.rules.join("\n")],
      [index("ufw"), allUfw],
    ]);
    const statusOf = (map: Map<number, string>, kind: string) => compareHost(flask, map)[index(kind)]?.status;
    expect(statusOf(clean, "chain")).toBe("ok");
    expect(statusOf(clean, "ufw")).toBe("ok");
    expect(statusOf(new Map([...clean, [index("chain"), chain.rules.slice(1).join("\n")]]), "chain")).toBe("drift");
    expect(statusOf(new Map([...clean, [index("jump"), "0"]]), "jump")).toBe("drift");
    expect(statusOf(new Map([...clean, [index("ufw"), allUfw.split("\n").slice(1).join("\n")]]), "ufw")).toBe("drift");
    const container = index("container");
    expect(compareHost(flask, new Map([[container, "exited"]]))[container]).toMatchObject({ status: "drift", found: "exited", expected: "running" });
  });
});
