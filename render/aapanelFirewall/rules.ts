import { ANY_SOURCE } from "../../config/values/addresses";
import type { AaPanelFirewallSpec } from "./types";

/**
 * Every tier's rules on the aaPanel host carry this one comment. ufw keeps one copy of a
 * rule and re-adding it with another comment rewrites the comment (ufw 0.36), so per-tier
 * comments would take a shared rule (allow 80/tcp) from one tier to the next; who wants a
 * rule is recorded per tier on the host instead (see hostPaths.ts).
 */
export const AAPANEL_UFW_COMMENT = "cm-infra:aapanel";

/** What each rule is for: SSH, the panel, or the public web ports. */
export type AaPanelRuleKind = "ssh" | "panel" | "web";

export interface AaPanelRule {
  readonly kind: AaPanelRuleKind;
  /** As `ufw show added` prints it (without "ufw " and the comment). */
  readonly rule: string;
}

function allowTcpFrom(source: string, port: number): string {
  return source === ANY_SOURCE ? `allow ${port}/tcp` : `allow from ${source} to any port ${port} proto tcp`;
}

/**
 * Only allows: ufw takes the first match and cm-infra never reorders rules it does not own,
 * so the admin-only ports rely on ufw's default incoming policy being deny (the scripts
 * refuse a host whose policy is allow). SSH comes first: it is added before anything else.
 */
export function renderAaPanelUfwRules(spec: AaPanelFirewallSpec): readonly AaPanelRule[] {
  const admins = [...new Set(spec.adminSources)];
  return [
    ...admins.map((source) => ({ kind: "ssh" as const, rule: allowTcpFrom(source, spec.sshPort) })),
    ...admins.map((source) => ({ kind: "panel" as const, rule: allowTcpFrom(source, spec.panelPort) })),
    ...[...new Set(spec.webPorts)].map((port) => ({ kind: "web" as const, rule: allowTcpFrom(ANY_SOURCE, port) })),
  ];
}
