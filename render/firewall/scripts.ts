import { type BashValue, bashScript } from "../bashScript";
import { asRemoteCommand, type RemoteScripts } from "../remoteScripts";
import { FIREWALL_SHARED } from "../scriptParts";
import { renderDockerUserFragment, tierChainName } from "./dockerUser";
import { FIREWALL_HOST_PATHS } from "./hostPaths";
import { FIREWALL_SCRIPTS } from "../scriptFamilies";
import { FIREWALL_APPLY, FIREWALL_COMMON, FIREWALL_DELETE, FIREWALL_MANAGED_BLOCK, FIREWALL_UFW_OWNERSHIP } from "./scriptParts";
import type { FirewallSpec } from "./types";
import { renderUfwRules, UFW_COMMENT_PREFIX } from "./ufwRules";
import { assertValidFirewallSpec } from "./validate";

function script(spec: FirewallSpec, values: Readonly<Record<string, BashValue>>, body: string): string {
  return bashScript({
    family: FIREWALL_SCRIPTS,
    title: `cm-infra firewall for tier ${spec.tier} on the Flask host: DOCKER-USER rules through after.rules, and ufw rules.`,
    label: `cm-infra firewall ${spec.tier}`,
    lockFile: FIREWALL_HOST_PATHS.lockFile,
    values: {
      TIER: spec.tier,
      SSH_PORT: spec.sshPort,
      ...values,
      FRAGMENT_DIR: FIREWALL_HOST_PATHS.fragmentDir,
      STATE_DIR: FIREWALL_HOST_PATHS.stateDir,
      AFTER_RULES: FIREWALL_HOST_PATHS.afterRules,
      BLOCK_BEGIN: FIREWALL_HOST_PATHS.blockBegin,
      BLOCK_END: FIREWALL_HOST_PATHS.blockEnd,
      COMMENT_PREFIX: UFW_COMMENT_PREFIX,
    },
    parts: [FIREWALL_COMMON, FIREWALL_SHARED, FIREWALL_MANAGED_BLOCK, FIREWALL_UFW_OWNERSHIP, body],
  });
}

/** The bash script create and update run (before asRemoteCommand wraps it). */
export function renderFirewallApplyScript(spec: FirewallSpec): string {
  assertValidFirewallSpec(spec);
  const rules = renderUfwRules(spec);
  return script(
    spec,
    { ENABLE_UFW: spec.enableUfw ? "yes" : "no", FRAGMENT: renderDockerUserFragment(spec), SSH_RULES: rules.ssh, PORT_RULES: rules.ports },
    FIREWALL_APPLY,
  );
}

/**
 * The bash script delete runs. The provider sends delete the stored stdin too, but this
 * command has none (stdin ""), so delete works from the tier's name alone.
 */
export function renderFirewallDeleteScript(spec: FirewallSpec): string {
  assertValidFirewallSpec(spec);
  return script(spec, { CHAIN: tierChainName(spec.tier) }, FIREWALL_DELETE);
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
