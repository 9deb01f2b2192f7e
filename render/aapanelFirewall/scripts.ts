import { type BashValue, bashScript } from "../bashScript";
import { asRemoteCommand, type RemoteScripts } from "../remoteScripts";
import { FIREWALL_SHARED } from "../scriptParts";
import { FIREWALL_SCRIPTS } from "../scriptFamilies";
import { UFW_COMMENT_PREFIX } from "../firewall/ufwRules";
import { AAPANEL_FIREWALL_HOST_PATHS } from "./hostPaths";
import { AAPANEL_APPLY, AAPANEL_COMMON, AAPANEL_DELETE, AAPANEL_RULES } from "./scriptParts";
import { AAPANEL_UFW_COMMENT, renderAaPanelUfwRules } from "./rules";
import type { AaPanelFirewallSpec } from "./types";
import { assertValidAaPanelFirewallSpec } from "./validate";

/**
 * A script on the aaPanel host for the tier: `values` beside the ones every script there
 * reads, then `parts`. The drift probe runs the rule-reading part this way too, so drift
 * and apply judge a rule alike.
 */
export function renderAaPanelScript(spec: AaPanelFirewallSpec, values: Readonly<Record<string, BashValue>>, parts: readonly string[]): string {
  return bashScript({
    family: FIREWALL_SCRIPTS,
    title: `cm-infra aaPanel host firewall for tier ${spec.tier}: ufw rules, SSH and the panel from the admin sources only.`,
    label: `cm-infra aapanel firewall ${spec.tier}`,
    lockFile: AAPANEL_FIREWALL_HOST_PATHS.lockFile,
    values: {
      TIER: spec.tier,
      SSH_PORT: spec.sshPort,
      PANEL_PORT: spec.panelPort,
      ADMIN_SOURCES: spec.adminSources,
      ...values,
      STATE_DIR: AAPANEL_FIREWALL_HOST_PATHS.stateDir,
      UFW_DEFAULTS: AAPANEL_FIREWALL_HOST_PATHS.ufwDefaults,
      COMMENT: AAPANEL_UFW_COMMENT,
      COMMENT_PREFIX: UFW_COMMENT_PREFIX,
    },
    parts,
  });
}

function script(spec: AaPanelFirewallSpec, values: Readonly<Record<string, BashValue>>, body: string): string {
  return renderAaPanelScript(spec, values, [AAPANEL_RULES, AAPANEL_COMMON, FIREWALL_SHARED, body]);
}

/** The bash script create and update run (before asRemoteCommand wraps it). */
export function renderAaPanelFirewallApplyScript(spec: AaPanelFirewallSpec): string {
  assertValidAaPanelFirewallSpec(spec);
  const wanted = renderAaPanelUfwRules(spec).map(({ kind, rule }) => `${kind} ${rule}`);
  return script(spec, { ENABLE_UFW: spec.enableUfw ? "yes" : "no", WANTED: wanted }, AAPANEL_APPLY);
}

/**
 * The bash script delete runs: it works from the tier's record on the host, so it needs
 * nothing but the tier and the SSH port (the provider sends delete no stdin here).
 */
export function renderAaPanelFirewallDeleteScript(spec: AaPanelFirewallSpec): string {
  assertValidAaPanelFirewallSpec(spec);
  return script(spec, {}, AAPANEL_DELETE);
}

/**
 * ufw on the aaPanel host for one tier: 80, 443 and the tier's listen port to everyone;
 * SSH and the panel's port to the admin sources only. Needs root on the host.
 */
export function renderAaPanelFirewallScripts(spec: AaPanelFirewallSpec): RemoteScripts {
  const apply = asRemoteCommand(renderAaPanelFirewallApplyScript(spec));
  return { create: apply, update: apply, delete: asRemoteCommand(renderAaPanelFirewallDeleteScript(spec)), stdin: "" };
}
