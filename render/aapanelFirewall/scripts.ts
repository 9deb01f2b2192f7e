import { asRemoteCommand, shellQuote, type RemoteScripts } from "../remoteScripts";
import { AAPANEL_APPLY_BASH, AAPANEL_COMMON_BASH, AAPANEL_DELETE_BASH, AAPANEL_RULES_BASH } from "./scriptParts";
import { AAPANEL_FIREWALL_HOST_PATHS } from "./hostPaths";
import { AAPANEL_UFW_COMMENT, renderAaPanelUfwRules } from "./rules";
import type { AaPanelFirewallSpec } from "./types";
import { assertValidAaPanelFirewallSpec } from "./validate";
import { UFW_COMMENT_PREFIX } from "../firewall/ufwRules";
import { FIREWALL_SHARED_BASH } from "../firewallShared";

export function bashArray(values: readonly string[]): string {
  return `(${values.map(shellQuote).join(" ")})`;
}

/**
 * What every script on the aaPanel host starts with. ufw's messages follow the locale
 * (aaPanel hosts often run zh_CN, which pam_env hands to SSH sessions), and the scripts
 * read them, so ufw speaks C here.
 */
export function aapanelScriptHeader(spec: AaPanelFirewallSpec): string[] {
  return [
    "set -euo pipefail",
    "export LC_ALL=C",
    `TIER=${shellQuote(spec.tier)}`,
    `SSH_PORT=${spec.sshPort}`,
    `PANEL_PORT=${spec.panelPort}`,
    `ADMIN_SOURCES=${bashArray(spec.adminSources)}`,
    `readonly STATE_DIR=${shellQuote(AAPANEL_FIREWALL_HOST_PATHS.stateDir)}`,
    `readonly LOCK_FILE=${shellQuote(AAPANEL_FIREWALL_HOST_PATHS.lockFile)}`,
    `readonly UFW_DEFAULTS=${shellQuote(AAPANEL_FIREWALL_HOST_PATHS.ufwDefaults)}`,
    `readonly COMMENT=${shellQuote(AAPANEL_UFW_COMMENT)}`,
    `readonly COMMENT_PREFIX=${shellQuote(UFW_COMMENT_PREFIX)}`,
  ];
}

function script(spec: AaPanelFirewallSpec, extra: readonly string[], body: string): string {
  return [...aapanelScriptHeader(spec), ...extra, "", AAPANEL_RULES_BASH, AAPANEL_COMMON_BASH, FIREWALL_SHARED_BASH, body].join("\n");
}

/** The bash script create and update run (before asRemoteCommand wraps it). */
export function renderAaPanelFirewallApplyScript(spec: AaPanelFirewallSpec): string {
  assertValidAaPanelFirewallSpec(spec);
  const wanted = renderAaPanelUfwRules(spec).map(({ kind, rule }) => `${kind} ${rule}`);
  return script(spec, [`ENABLE_UFW=${spec.enableUfw ? "yes" : "no"}`, `WANTED=${bashArray(wanted)}`], AAPANEL_APPLY_BASH);
}

/**
 * The bash script delete runs: it works from the tier's record on the host, so it needs
 * nothing but the tier and the SSH port (the provider sends delete no stdin here).
 */
export function renderAaPanelFirewallDeleteScript(spec: AaPanelFirewallSpec): string {
  assertValidAaPanelFirewallSpec(spec);
  return script(spec, [], AAPANEL_DELETE_BASH);
}

/**
 * ufw on the aaPanel host for one tier: 80, 443 and the tier's listen port to everyone;
 * SSH and the panel's port to the admin sources only. Needs root on the host.
 */
export function renderAaPanelFirewallScripts(spec: AaPanelFirewallSpec): RemoteScripts {
  const apply = asRemoteCommand(renderAaPanelFirewallApplyScript(spec));
  return { create: apply, update: apply, delete: asRemoteCommand(renderAaPanelFirewallDeleteScript(spec)), stdin: "" };
}
