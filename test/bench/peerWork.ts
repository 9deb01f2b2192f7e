import type { CmConfig } from "../../config/types";
import { renderDockerUserFragment } from "../../render/firewall/dockerUser";
import { firewallSpecOf } from "../../render/firewall/spec";
import { FIREWALL_HOST_PATHS } from "../../render/firewall/hostPaths";
import { renderUfwRules, ufwOwnerComment } from "../../render/firewall/ufwRules";
import { edgeSiteOf } from "../../render/nginx/site";
import { AAPANEL_UFW_COMMENT, renderAaPanelUfwRules } from "../../render/aapanelFirewall/rules";
import { aapanelFirewallSpecOf } from "../../render/aapanelFirewall/spec";

/**
 * The host changes of one tier's firewall and edge, as cm-infra's renderers make them, for
 * the peers (the floor script and the Ansible playbook): the same files, block, live rules
 * and ufw rules, so every column does the same work.
 */
export interface FirewallWork {
  readonly tier: string;
  readonly fragmentFile: string;
  readonly fragment: string;
  readonly afterRules: string;
  readonly blockBegin: string;
  readonly blockEnd: string;
  /** The managed block between its markers: DOCKER-USER and this tier's chain (the only tier on the host). */
  readonly blockBody: string;
  readonly lockFile: string;
  readonly comment: string;
  /** As `ufw show added` prints them, without "ufw " and the comment; in order. */
  readonly ufwRules: readonly string[];
}

/** Everything on the aaPanel host: its ufw rules (aapanelHost.firewall) and the tier's site. */
export interface EdgeWork {
  readonly tier: string;
  /** The aaPanel host's ufw rules, in order; empty without aapanelHost.firewall. */
  readonly ufwRules: readonly string[];
  readonly ufwComment: string;
  readonly lockFile: string;
  readonly htpasswdDir: string;
  readonly htpasswdFile: string;
  /** "user:bcrypt" of a password made for the bench, never printed. */
  readonly htpasswdLine: string;
  /** aaPanel's nginx workers run as www and read the htpasswd file. */
  readonly htpasswdGroup: string;
  readonly files: readonly { readonly path: string; readonly content: string }[];
  readonly reloadCommand: string;
}

export function firewallWork(config: CmConfig): FirewallWork {
  const spec = firewallSpecOf(config);
  const fragment = renderDockerUserFragment(spec);
  const lines = fragment.split("\n");
  const rules = renderUfwRules(spec);
  return {
    tier: spec.tier,
    fragmentFile: `${FIREWALL_HOST_PATHS.fragmentDir}/${spec.tier}.rules`,
    fragment,
    afterRules: FIREWALL_HOST_PATHS.afterRules,
    blockBegin: FIREWALL_HOST_PATHS.blockBegin,
    blockEnd: FIREWALL_HOST_PATHS.blockEnd,
    blockBody: ["*filter", ":DOCKER-USER - [0:0]", ...lines.filter((line) => line.startsWith(":")), ...lines.filter((line) => line.startsWith("-A")), "COMMIT"].join("\n"),
    lockFile: FIREWALL_HOST_PATHS.lockFile,
    comment: ufwOwnerComment(spec.tier),
    ufwRules: [...rules.ssh, ...rules.ports],
  };
}

export function edgeWork(config: CmConfig, htpasswdLine: string): EdgeWork {
  const { layout, paths, files } = edgeSiteOf(config);
  const firewall = aapanelFirewallSpecOf(config);
  return {
    tier: config.tier,
    ufwRules: firewall === undefined ? [] : renderAaPanelUfwRules(firewall).map((rule) => rule.rule),
    ufwComment: AAPANEL_UFW_COMMENT,
    lockFile: paths.lockFile,
    htpasswdDir: paths.htpasswdDir,
    htpasswdFile: paths.htpasswdFile,
    htpasswdLine: htpasswdLine.replace(/\n$/, ""),
    htpasswdGroup: "www",
    files,
    reloadCommand: layout.reloadCommand,
  };
}
