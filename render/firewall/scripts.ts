import { asRemoteCommand, shellQuote, type RemoteScripts } from "../remoteScripts";
import { renderDockerUserFragment, tierChainName } from "./dockerUser";
import { scriptPart } from "../scriptFiles";
import { FIREWALL_SHARED_BASH } from "../firewallShared";
import { FIREWALL_HOST_PATHS } from "./hostPaths";
import type { FirewallSpec } from "./types";
import { renderUfwRules, UFW_COMMENT_PREFIX } from "./ufwRules";
import { assertValidFirewallSpec } from "./validate";

function bashArray(values: readonly string[]): string {
  return `(${values.map(shellQuote).join(" ")})`;
}

const HOST_CONSTANTS = [
  `readonly FRAGMENT_DIR=${shellQuote(FIREWALL_HOST_PATHS.fragmentDir)}`,
  `readonly STATE_DIR=${shellQuote(FIREWALL_HOST_PATHS.stateDir)}`,
  `readonly AFTER_RULES=${shellQuote(FIREWALL_HOST_PATHS.afterRules)}`,
  `readonly LOCK_FILE=${shellQuote(FIREWALL_HOST_PATHS.lockFile)}`,
  `readonly BLOCK_BEGIN=${shellQuote(FIREWALL_HOST_PATHS.blockBegin)}`,
  `readonly BLOCK_END=${shellQuote(FIREWALL_HOST_PATHS.blockEnd)}`,
  `readonly COMMENT_PREFIX=${shellQuote(UFW_COMMENT_PREFIX)}`,
];

function script(header: readonly string[], body: string): string {
  return [
    "set -euo pipefail",
    // run_ufw reads ufw's answers ("Skipping", "non-existent"). ufw ships translations
    // (/usr/share/ufw/messages) chosen by the locale pam_env hands SSH sessions (aaPanel
    // hosts often run zh_CN); those two come untranslated from ufw 0.36's backend today,
    // but the aaPanel host's scripts set C for the same reason: one rule for both.
    "export LC_ALL=C",
    ...header,
    ...HOST_CONSTANTS,
    "",
    scriptPart("firewall/sh/common.sh"),
    FIREWALL_SHARED_BASH,
    scriptPart("firewall/sh/managedBlock.sh"),
    scriptPart("firewall/sh/ufwOwnership.sh"),
    body,
  ].join("\n");
}

/** The bash script create and update run (before asRemoteCommand wraps it). */
export function renderFirewallApplyScript(spec: FirewallSpec): string {
  assertValidFirewallSpec(spec);
  const rules = renderUfwRules(spec);
  return script(
    [
      `TIER=${shellQuote(spec.tier)}`,
      `SSH_PORT=${spec.sshPort}`,
      `ENABLE_UFW=${spec.enableUfw ? "yes" : "no"}`,
      `FRAGMENT=${shellQuote(renderDockerUserFragment(spec))}`,
      `SSH_RULES=${bashArray(rules.ssh)}`,
      `PORT_RULES=${bashArray(rules.ports)}`,
    ],
    scriptPart("firewall/sh/apply.sh"),
  );
}

/**
 * The bash script delete runs. The provider sends delete the stored stdin too, but this
 * command has none (stdin ""), so delete works from the tier's name alone.
 */
export function renderFirewallDeleteScript(spec: FirewallSpec): string {
  assertValidFirewallSpec(spec);
  return script(
    [`TIER=${shellQuote(spec.tier)}`, `SSH_PORT=${spec.sshPort}`, `CHAIN=${shellQuote(tierChainName(spec.tier))}`],
    scriptPart("firewall/sh/delete.sh"),
  );
}

/**
 * Firewall for one tier on the Flask host: DOCKER-USER rules for the Docker-published
 * ports (which ufw's own rules never see), persisted through /etc/ufw/after.rules, plus
 * the plain ufw rules for the host's ports. Needs root on the host.
 */
export function renderFirewallScripts(spec: FirewallSpec): RemoteScripts {
  const apply = asRemoteCommand(renderFirewallApplyScript(spec));
  return { create: apply, update: apply, delete: asRemoteCommand(renderFirewallDeleteScript(spec)), stdin: "" };
}
