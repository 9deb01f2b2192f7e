import { beforeAll, describe, expect, test } from "vitest";
import { floatingReason, imagePin } from "../../policy/imageRef";
import { POLICIES } from "../../policy/policies";
import type { PolicyResource } from "../../policy/resource";
import { stackOfUrn, tierOf } from "../../policy/tier";
import { type Reported, asPolicyResource, runPolicies, urnOf } from "../support/policyHarness";
import { type ProgramRun, SECRET_KEYS, runProgram } from "../support/program";

const STACKS = ["rex", "siong", "dev", "sandbox"] as const;
type Stack = (typeof STACKS)[number];
const PRODUCTION_STACKS = ["rex", "siong", "sandbox"] as const;

const CONTAINER = "docker:index/container:Container";
const REMOTE_IMAGE = "docker:index/remoteImage:RemoteImage";
const COMMAND = "command:remote:Command";

function runStack(stack: Stack): Promise<ProgramRun> {
  // The sandbox stack generates its secrets and reads the hosts from a sandbox state file.
  return stack === "sandbox"
    ? runProgram("sandbox", { omitSecrets: [...SECRET_KEYS], overrides: { sandboxState: "test/fixtures/sandbox/sandbox.json" } })
    : runProgram(stack);
}

const runs = new Map<Stack, ProgramRun>();
beforeAll(async () => {
  for (const stack of STACKS) runs.set(stack, await runStack(stack));
});

function registered(stack: Stack, type: string, name: string): PolicyResource {
  const run = runs.get(stack);
  if (run === undefined) throw new Error(`stack ${stack} was not run`);
  return asPolicyResource(stack, run.one(type, name));
}

/** A copy of a registered resource with its inputs changed the way a hand edit would. */
function mutated(resource: PolicyResource, change: (props: Record<string, unknown>) => void): PolicyResource {
  const props = structuredClone(resource.props) as Record<string, unknown>;
  change(props);
  return { ...resource, props };
}

function policiesIn(reported: readonly Reported[]): string[] {
  return [...new Set(reported.map((violation) => violation.policy))].sort();
}

describe.each(STACKS)("the program as registered for stack %s", (stack) => {
  test("passes every policy on every resource", async () => {
    const run = runs.get(stack) as ProgramRun;
    const resources = run.resources.map((recorded) => asPolicyResource(stack, recorded));
    // Not vacuous: the resources each policy judges are there.
    expect(resources.filter((resource) => resource.type === CONTAINER)).toHaveLength(5);
    expect(resources.filter((resource) => resource.type === COMMAND).length).toBeGreaterThanOrEqual(3);
    expect(resources.some((resource) => resource.type === REMOTE_IMAGE)).toBe(true);
    const reported = (await Promise.all(resources.map((resource) => runPolicies(resource)))).flat();
    expect(reported).toEqual([]);
  });
});

interface Mutation {
  readonly title: string;
  readonly stack: Stack;
  readonly type: string;
  readonly name: string;
  readonly change: (props: Record<string, unknown>) => void;
  readonly policy: string;
  /** Other policies the same change breaks. */
  readonly alsoBy?: readonly string[];
  readonly says: RegExp;
}

const LAN_PORT = { internal: 3000, external: 3000, ip: "192.0.2.10", protocol: "tcp" };

const MUTATIONS: Mutation[] = [
  ...PRODUCTION_STACKS.map(
    (stack): Mutation => ({
      title: `api-server publishes a host port on ${stack}`,
      stack,
      type: CONTAINER,
      name: `${stack}-api-server`,
      change: (props) => (props.ports = [LAN_PORT]),
      policy: "api-server-publishes-no-host-port",
      says: /publishes host port\(s\) 192\.0\.2\.10:3000->3000 on a production tier/,
    }),
  ),
  {
    title: "api-server on the host's network in production",
    stack: "rex",
    type: CONTAINER,
    name: "rex-api-server",
    change: (props) => (props.networkMode = "host"),
    policy: "api-server-publishes-no-host-port",
    alsoBy: ["no-port-on-every-interface"],
    says: /uses the host's network on a production tier/,
  },
  {
    title: "no-new-privileges dropped",
    stack: "siong",
    type: CONTAINER,
    name: "siong-web-view",
    change: (props) => (props.securityOpts = []),
    policy: "container-no-new-privileges",
    says: /does not set securityOpts no-new-privileges:true/,
  },
  {
    title: "no-new-privileges turned off",
    stack: "dev",
    type: CONTAINER,
    name: "dev-mysql",
    change: (props) => (props.securityOpts = ["no-new-privileges:false"]),
    policy: "container-no-new-privileges",
    says: /does not set securityOpts no-new-privileges:true/,
  },
  {
    title: "capabilities not dropped",
    stack: "rex",
    type: CONTAINER,
    name: "rex-telegram-bot",
    change: (props) => delete props.capabilities,
    policy: "container-drops-all-capabilities",
    says: /does not drop every capability/,
  },
  {
    title: "a capability added back",
    stack: "sandbox",
    type: CONTAINER,
    name: "sandbox-credit-transfer",
    change: (props) => (props.capabilities = { drops: ["ALL"], adds: ["NET_ADMIN"] }),
    policy: "container-drops-all-capabilities",
    says: /adds capabilities back: NET_ADMIN/,
  },
  {
    title: "privileged",
    stack: "dev",
    type: CONTAINER,
    name: "dev-web-view",
    change: (props) => (props.privileged = true),
    policy: "container-drops-all-capabilities",
    says: /is privileged/,
  },
  ...["root", "0", "0:0", "root:10001", "000"].map(
    (user): Mutation => ({
      title: `user ${user}`,
      stack: "rex",
      type: CONTAINER,
      name: "rex-credit-transfer",
      change: (props) => (props.user = user),
      policy: "container-runs-as-non-root",
      says: new RegExp(`runs as root \\(user "${user}"\\)`),
    }),
  ),
  {
    title: "user unset",
    stack: "dev",
    type: CONTAINER,
    name: "dev-api-server",
    change: (props) => delete props.user,
    policy: "container-runs-as-non-root",
    says: /sets no user/,
  },
  ...PRODUCTION_STACKS.map(
    (stack): Mutation => ({
      title: `RemoteImage by latest on ${stack}`,
      stack,
      type: REMOTE_IMAGE,
      name: `${stack}-cm-api`,
      change: (props) => (props.name = "registry.example.com/cm/cm-api:latest"),
      policy: "production-image-is-pinned",
      says: /"registry\.example\.com\/cm\/cm-api:latest" uses the "latest" tag on a production tier/,
    }),
  ),
  {
    title: "RemoteImage untagged behind a registry port",
    stack: "rex",
    type: REMOTE_IMAGE,
    name: "rex-database-image",
    change: (props) => (props.name = "registry.example.com:5000/mysql"),
    policy: "production-image-is-pinned",
    says: /"registry\.example\.com:5000\/mysql" has no tag/,
  },
  {
    title: "container image by latest",
    stack: "siong",
    type: CONTAINER,
    name: "siong-mysql",
    change: (props) => (props.image = "mysql:latest"),
    policy: "production-image-is-pinned",
    says: /"mysql:latest" uses the "latest" tag/,
  },
  ...["rex-firewall-rules", "rex-edge-site", "rex-edge-htpasswd"].map(
    (name): Mutation => ({
      title: `${name} without a host key`,
      stack: "rex",
      type: COMMAND,
      name,
      change: (props) => delete (props.connection as Record<string, unknown>).hostKey,
      policy: "remote-command-pins-host-key",
      says: /pins no hostKey/,
    }),
  ),
  {
    title: "a host key that is not a key",
    stack: "sandbox",
    type: COMMAND,
    name: "sandbox-firewall-rules",
    change: (props) => ((props.connection as Record<string, unknown>).hostKey = "yes"),
    policy: "remote-command-pins-host-key",
    says: /hostKey that is not an OpenSSH public key/,
  },
  {
    title: "a jump host without a host key",
    stack: "siong",
    type: COMMAND,
    name: "siong-edge-site",
    change: (props) => ((props.connection as Record<string, unknown>).proxy = { host: "192.0.2.99", user: "jump" }),
    policy: "remote-command-pins-host-key",
    says: /connection\.proxy to 192\.0\.2\.99 pins no hostKey/,
  },
  ...STACKS.flatMap((stack): Mutation[] => [
    {
      title: `web-view on 0.0.0.0 on ${stack}`,
      stack,
      type: CONTAINER,
      name: `${stack}-web-view`,
      change: (props) => ((props.ports as Record<string, unknown>[])[0] as Record<string, unknown>).ip = "0.0.0.0",
      policy: "no-port-on-every-interface",
      says: /publishes port \d+ on 0\.0\.0\.0, i\.e\. every host interface/,
    },
    {
      title: `web-view with no ip on ${stack}`,
      stack,
      type: CONTAINER,
      name: `${stack}-web-view`,
      change: (props) => delete ((props.ports as Record<string, unknown>[])[0] as Record<string, unknown>).ip,
      policy: "no-port-on-every-interface",
      says: /on no ip \(Docker binds 0\.0\.0\.0\)/,
    },
  ]),
  {
    title: "web-view on IPv6 any",
    stack: "rex",
    type: CONTAINER,
    name: "rex-web-view",
    change: (props) => ((props.ports as Record<string, unknown>[])[0] as Record<string, unknown>).ip = "::",
    policy: "no-port-on-every-interface",
    says: /on ::, i\.e\. every host interface/,
  },
];

describe("a resource changed after the program's own validation", () => {
  test.each(MUTATIONS.map((mutation) => [mutation.title, mutation] as const))("%s is reported, naming the resource", async (_title, mutation) => {
    const resource = mutated(registered(mutation.stack, mutation.type, mutation.name), mutation.change);
    const reported = await runPolicies(resource);
    expect(policiesIn(reported)).toEqual([mutation.policy, ...(mutation.alsoBy ?? [])].sort());
    for (const violation of reported) {
      expect(violation.urn).toBe(urnOf(mutation.stack, mutation.type, mutation.name));
      expect(violation.message.startsWith(`${mutation.name}`)).toBe(true);
    }
    expect(reported.map((violation) => violation.message).join("\n")).toMatch(mutation.says);
  });

  test("the production-only checks leave dev alone: its API on 127.0.0.1 and a latest image", async () => {
    const api = registered("dev", CONTAINER, "dev-api-server");
    expect(api.props.ports).toEqual([{ internal: 3000, external: 3000, ip: "127.0.0.1", protocol: "tcp" }]);
    expect(await runPolicies(api)).toEqual([]);
    const database = mutated(registered("dev", REMOTE_IMAGE, "dev-database-image"), (props) => (props.name = "mysql:latest"));
    expect(await runPolicies(database)).toEqual([]);
  });

  test("a digest pins an image whatever its tag says", async () => {
    const pinned = mutated(registered("rex", REMOTE_IMAGE, "rex-cm-api"), (props) => (props.name = `registry.example.com/cm/cm-api:latest@sha256:${"a".repeat(64)}`));
    expect(await runPolicies(pinned)).toEqual([]);
  });

  test("renaming a container does not move it off a production stack", async () => {
    const renamed = mutated(registered("rex", CONTAINER, "rex-api-server"), (props) => {
      props.name = "dev-api-server";
      props.ports = [LAN_PORT];
    });
    const reported = await runPolicies({ ...renamed, name: "dev-api-server" });
    expect(policiesIn(reported)).toEqual(["api-server-publishes-no-host-port"]);
    expect(reported[0]?.message).toContain("(stack rex)");
  });

  test("every policy is mandatory and has a unique name", () => {
    expect(POLICIES.map((policy) => policy.enforcementLevel)).toEqual(POLICIES.map(() => "mandatory"));
    expect(new Set(POLICIES.map((policy) => policy.name)).size).toBe(POLICIES.length);
  });
});

describe("the tier a resource is judged by", () => {
  const at = (stack: string, name: string): PolicyResource => ({ type: CONTAINER, name, urn: urnOf(stack, CONTAINER, name), props: {} });

  test("comes from the stack name in the URN", () => {
    expect(stackOfUrn("urn:pulumi:rex::cm-infra::cm:app:FlaskStack$docker:index/container:Container::rex-api-server")).toBe("rex");
    expect(tierOf(at("siong", "x"))).toEqual({ tier: "siong", production: true, source: "stack siong" });
    expect(tierOf(at("dev", "rex-web-view")).production).toBe(false);
  });

  test("falls back to the <tier>- prefix for a stack not named after a tier", () => {
    expect(tierOf(at("demo-bob", "sandbox-api-server"))).toMatchObject({ tier: "sandbox", production: true });
    expect(tierOf(at("rex-staging", "rex-api-server"))).toMatchObject({ tier: "rex", production: true });
    expect(tierOf(at("alice", "dev-api-server"))).toMatchObject({ tier: "dev", production: false });
  });

  test("is production when neither says", () => {
    expect(tierOf(at("staging", "api-server"))).toMatchObject({ tier: undefined, production: true });
    expect(tierOf({ type: CONTAINER, name: "x", urn: "not-a-urn", props: {} }).production).toBe(true);
  });
});

describe("image references", () => {
  test.each([
    ["registry.example.com/cm/cm-api:2026.11.1", { kind: "tag", tag: "2026.11.1" }],
    ["registry.example.com:5000/cm/cm-api", { kind: "untagged" }],
    ["mysql", { kind: "untagged" }],
    ["mysql:8.0", { kind: "tag", tag: "8.0" }],
    [`mysql@sha256:${"b".repeat(64)}`, { kind: "digest" }],
    [`sha256:${"0".repeat(64)}`, { kind: "id" }],
  ])("%s", (reference, pin) => {
    expect(imagePin(reference)).toEqual(pin);
  });

  test("only latest and untagged float", () => {
    expect(floatingReason("mysql:8.0")).toBeUndefined();
    expect(floatingReason("mysql:latest-slim")).toBeUndefined();
    expect(floatingReason("mysql:latest")).toContain('"latest" tag');
    expect(floatingReason("localhost:5000/app")).toContain("no tag");
  });
});
