import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { afterAll, beforeAll, expect, test } from "vitest";
import { POLICIES } from "../../policy/policies";
import { type RunningPolicyPack, startPolicyPack } from "../support/policyAnalyzer";
import { urnOf } from "../support/policyHarness";
import { ROOT, type ProgramRun, runProgram } from "../support/program";

// The Pulumi CLI cannot be installed here, but what `pulumi preview --policy-pack policy`
// starts ships in @pulumi/pulumi and @pulumi/policy: the runner that compiles the pack
// with the ts-node and TypeScript it picks and the analyzer it serves over gRPC. This
// talks to that analyzer as the engine does, with inputs as the engine sends them
// (secrets wrapped, unknowns as the unknown marker).

const CONTAINER = "docker:index/container:Container";
const COMMAND = "command:remote:Command";

let pack: RunningPolicyPack;
let run: ProgramRun;
beforeAll(async () => {
  run = await runProgram("rex");
  pack = await startPolicyPack(join(ROOT, "policy"), 150_000);
}, 180_000);
afterAll(() => pack?.close());

function registered(type: string, name: string): { type: string; name: string; urn: string; props: Record<string, unknown> } {
  const resource = run.one(type, name);
  return { type, name, urn: urnOf("rex", type, name), props: structuredClone(resource.inputs) };
}

test("the pack loads through Pulumi's runner and declares every policy as mandatory", async () => {
  const info = await pack.info();
  expect(info.name).toBe("cm-infra");
  expect(info.version).toBe("0.1.0");
  expect(info.policies).toEqual(POLICIES.map((policy) => ({ name: policy.name, level: "mandatory" })));
});

test("a registered api-server passes; with a host port it is a mandatory violation naming it", async () => {
  const api = registered(CONTAINER, "rex-api-server");
  expect(await pack.analyze(api)).toEqual([]);
  api.props.ports = [{ internal: 3000, external: 3000, ip: "192.0.2.10", protocol: "tcp" }];
  const diagnostics = await pack.analyze(api);
  // The urn stays empty: the engine attaches the analyzed resource's own (the library ignores any other).
  expect(diagnostics).toEqual([{ policy: "api-server-publishes-no-host-port", level: "mandatory", urn: "", message: expect.stringContaining("rex-api-server publishes host port(s) 192.0.2.10:3000->3000") }]);
});

test("a host key removed inside the secret connection is seen", async () => {
  const command = registered(COMMAND, "rex-edge-site");
  expect(await pack.analyze(command)).toEqual([]);
  const connection = command.props.connection as { value: Record<string, unknown> };
  delete connection.value.hostKey;
  expect(await pack.analyze(command)).toEqual([
    { policy: "remote-command-pins-host-key", level: "mandatory", urn: "", message: expect.stringContaining("rex-edge-site: connection to 192.0.2.5 pins no hostKey") },
  ]);
});

test("an input unknown at preview sidelines only the policy that reads it", async () => {
  const database = registered(CONTAINER, "rex-mysql");
  database.props.image = pulumi.runtime.unknownValue;
  database.props.user = "root";
  const diagnostics = await pack.analyze(database);
  expect(diagnostics.map(({ policy, level }) => ({ policy, level }))).toEqual([
    { policy: "container-runs-as-non-root", level: "mandatory" },
    { policy: "production-image-is-pinned", level: "advisory" },
  ]);
  expect(diagnostics[1]?.message).toContain("can't run policy 'production-image-is-pinned'");
});
