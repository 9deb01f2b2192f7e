import { readdirSync } from "node:fs";
import { Problems, show } from "./reader";
import { PROJECT_ROOT, resolveStackFile } from "./stackFile";
import type { PlainConfig } from "./validate";

/** A stack's settings and the file they came from ("Pulumi.<stack>.yaml"). */
export interface StackSettings {
  readonly stackFile: string;
  readonly config: PlainConfig;
}

const STACK_FILE = /^Pulumi\.(.+)\.yaml$/;

/**
 * The other stacks whose files are committed in the project folder, read as the drift tool
 * reads a stack file (no secrets). A sibling that does not resolve is skipped: an invalid
 * file is refused by its own preview, and a sandbox stack whose state file `npm run
 * sandbox:up` has not written (or that another checkout holds) has no known hosts to
 * compare. Skipping can miss a clash with such a stack; it never invents one.
 */
export function readSiblingStacks(ownStack: string, root: string = PROJECT_ROOT): StackSettings[] {
  const siblings: StackSettings[] = [];
  for (const name of readdirSync(root).sort()) {
    const stack = STACK_FILE.exec(name)?.[1];
    if (stack === undefined || stack === ownStack) continue;
    let resolved: ReturnType<typeof resolveStackFile>;
    try {
      resolved = resolveStackFile(stack, root);
    } catch {
      continue; // Not YAML: its own preview says so.
    }
    if (resolved.ok) siblings.push({ stackFile: name, config: resolved.config });
  }
  return siblings;
}

/**
 * What two tiers on one host cannot share. On the Flask host each publishes web-view on
 * its webPort (and its firewall chain filters that port); on the aaPanel host each adds a
 * server block for its domain on edge.listenPort, which tiers do share (nginx picks the
 * block by name). Hosts are the same when their addresses are: dockerHost must address
 * flaskHost, so flaskHost.address is where the containers run. Each line is reported
 * under the key of the stack being previewed, naming the sibling's file and key.
 */
export function siblingClashProblems(own: StackSettings, namespace: string, siblings: readonly StackSettings[]): readonly string[] {
  const problems = new Problems(own.stackFile, namespace);
  const mine = own.config;
  for (const { stackFile: other, config: theirs } of siblings) {
    const flask = mine.flaskHost.address;
    const panel = mine.aapanelHost.address;
    const sameFlask = flask === theirs.flaskHost.address;
    const samePanel = panel === theirs.aapanelHost.address;
    if (sameFlask && mine.webPort === theirs.webPort) {
      problems.add(
        "webPort",
        `${mine.webPort} is also ${other}'s webPort, on the same Flask host ${flask}: one tier's web-view would be published over the other's (and their firewall chains filter one port); give each tier on ${flask} its own webPort`,
      );
    }
    if (flask === theirs.aapanelHost.address && theirs.publishThroughEdge && mine.webPort === theirs.edge.listenPort) {
      problems.add(
        "webPort",
        `${mine.webPort} is ${other}'s edge.listenPort on the same host ${flask} (${other}'s aaPanel host is this Flask host): web-view and nginx cannot both bind it; choose another webPort`,
      );
    }
    if (mine.publishThroughEdge && panel === theirs.flaskHost.address && mine.edge.listenPort === theirs.webPort) {
      problems.add(
        "edge.listenPort",
        `${mine.edge.listenPort} is ${other}'s webPort on the same host ${panel} (this aaPanel host is ${other}'s Flask host): nginx and web-view cannot both bind it; use 443 (TLS) or 80, or move ${other}'s webPort`,
      );
    }
    if (samePanel && mine.publishThroughEdge && theirs.publishThroughEdge && mine.domain.toLowerCase() === theirs.domain.toLowerCase()) {
      problems.add(
        "domain",
        `${show(mine.domain)} is also ${other}'s domain, on the same aaPanel host ${panel}: two server blocks for one name, nginx warns "conflicting server name" and serves only the first; give each tier its own domain`,
      );
    }
    const panelPort = mine.aapanelFirewall?.panelPort;
    const theirPanelPort = theirs.aapanelFirewall?.panelPort;
    if (samePanel && panelPort !== undefined && theirPanelPort !== undefined && panelPort !== theirPanelPort) {
      problems.add(
        "aapanelHost.firewall.panelPort",
        `${panelPort} differs from ${other}'s aapanelHost.firewall.panelPort ${theirPanelPort}, on the same aaPanel host ${panel}: the host has one panel, and each tier's rules would open its port to its admin sources; give both the panel's real port`,
      );
    }
    // tier must equal the stack name except on the sandbox tier, so only two sandbox
    // stacks can get here; their container, site and chain names would be the same.
    if (mine.tier === theirs.tier && (sameFlask || samePanel)) {
      const where = sameFlask ? `Flask host ${flask}` : `aaPanel host ${panel}`;
      problems.add(
        "tier",
        `${show(mine.tier)} is also ${other}'s tier, on the same ${where}: both stacks would write the same containers, site files, firewall chain and htpasswd, each overwriting the other's; give each sandbox stack its own hosts (its own sandboxState)`,
      );
    }
  }
  return problems.list;
}
