import { describe, expect, test } from "vitest";
import { type RunOptions, runProgram, stackConfig } from "../support/program";

// What the engine can start while another step still runs. The SDK sends a resource to the
// engine only when its parent is registered and everything it depends on has finished, so
// a wait given to a component (its dependsOn) would hold back all of its children. These
// tests hold one step open and watch which registrations still reach the engine.

const COMMAND = "command:remote:Command";
const CONTAINER = "docker:index/container:Container";

interface HeldRun {
  /** type/name of every registration that reached the engine while the step was held. */
  readonly whileHeld: readonly string[];
  /** Every registration of the run, after the step was let go. */
  readonly all: readonly string[];
}

/** Registrations waited for before looking (the SDK registers in promise callbacks, not at once). */
const WAIT_MS = 10_000;

/**
 * Runs the stack with one resource's step held open until `expected` have all registered
 * (or WAIT_MS passed), then lets it finish.
 */
async function runHolding(stack: string, held: string, expected: readonly string[], options: RunOptions = {}): Promise<HeldRun> {
  const registered: string[] = [];
  let letGo: () => void = () => undefined;
  const holding = new Promise<void>((resolve) => {
    letGo = resolve;
  });
  let heldReached = false;
  const run = runProgram(stack, {
    ...options,
    onRegister: (type, name) => registered.push(`${type}/${name}`),
    stepRunning: (type, name) => {
      if (`${type}/${name}` !== held) return undefined;
      heldReached = true;
      return holding;
    },
  });
  const deadline = Date.now() + WAIT_MS;
  while (Date.now() < deadline && !(heldReached && expected.every((key) => registered.includes(key)))) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const whileHeld = [...registered];
  letGo();
  await run;
  expect(heldReached, `${held} was never registered`).toBe(true);
  return { whileHeld, all: [...registered] };
}

describe("rex: what runs while the Flask host's firewall applies", () => {
  const firewall = `${COMMAND}/rex-firewall-rules`;
  const independent = [
    `${COMMAND}/rex-edge-htpasswd`,
    "docker:index/remoteImage:RemoteImage/rex-cm-web",
    "docker:index/remoteImage:RemoteImage/rex-database-image",
    "docker:index/network:Network/rex-internal",
    "docker:index/volume:Volume/rex-database",
  ];

  test("the htpasswd file, the image pulls, the networks and the volume start; no container and not the site", async () => {
    const run = await runHolding("rex", firewall, independent);
    for (const key of independent) expect(run.whileHeld, key).toContain(key);
    expect(run.whileHeld.filter((key) => key.startsWith(`${CONTAINER}/`))).toEqual([]);
    expect(run.whileHeld).not.toContain(`${COMMAND}/rex-edge-site`);
    expect(run.all).toContain(`${COMMAND}/rex-edge-site`);
    expect(run.all.filter((key) => key.startsWith(`${CONTAINER}/`))).toHaveLength(5);
  });
});

describe("rex: what runs while a container is being created", () => {
  test("the htpasswd file is written meanwhile; the site waits for the container", async () => {
    const run = await runHolding("rex", `${CONTAINER}/rex-web-view`, [`${COMMAND}/rex-edge-htpasswd`]);
    expect(run.whileHeld).toContain(`${COMMAND}/rex-edge-htpasswd`);
    expect(run.whileHeld).not.toContain(`${COMMAND}/rex-edge-site`);
  });
});

describe("rex with aapanelHost.firewall: the aaPanel host's firewall and the site do not wait for each other", () => {
  const aapanelHost = JSON.parse(stackConfig("rex")["cm-infra:aapanelHost"] ?? "{}") as object;
  const withFirewall: RunOptions = {
    overrides: { aapanelHost: JSON.stringify({ ...aapanelHost, firewall: { adminSources: ["203.0.113.0/24"], panelPort: 7800, enableUfw: true } }) },
  };
  const aapanelFirewall = `${COMMAND}/rex-aapanel-firewall-rules`;
  const site = `${COMMAND}/rex-edge-site`;

  test("the site is installed while the aaPanel firewall applies", async () => {
    const run = await runHolding("rex", aapanelFirewall, [site], withFirewall);
    expect(run.whileHeld).toContain(site);
  });

  test("the aaPanel firewall applies while the site is installed", async () => {
    const run = await runHolding("rex", site, [aapanelFirewall], withFirewall);
    expect(run.whileHeld).toContain(aapanelFirewall);
  });
});
