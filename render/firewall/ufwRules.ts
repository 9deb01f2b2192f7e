import { ANY_SOURCE } from "../../config/values/addresses";
import type { FirewallSpec } from "./types";

/**
 * ufw rules are written exactly as `ufw show added` prints them (ufw's get_command), so
 * the scripts can tell by plain text whether a rule exists and who owns it (its comment).
 */
export interface UfwRuleSet {
  /** Allows SSH from every admin source; added before ufw is ever enabled. */
  readonly ssh: readonly string[];
  /** Order matters, ufw takes the first match: allows first, then denies. */
  readonly ports: readonly string[];
}

function allowTcpFrom(source: string, port: number): string {
  return source === ANY_SOURCE ? `allow ${port}/tcp` : `allow from ${source} to any port ${port} proto tcp`;
}

/** Every cm-infra ufw rule carries "cm-infra:<tier>"; the prefix alone marks a cm-infra rule. */
export const UFW_COMMENT_PREFIX = "cm-infra:";

export function ufwOwnerComment(tier: string): string {
  return `${UFW_COMMENT_PREFIX}${tier}`;
}

export function renderUfwRules(spec: FirewallSpec): UfwRuleSet {
  const webSources = [spec.proxyAddress, ...spec.extraAllowedSources];
  return {
    ssh: [...new Set(spec.adminSources)].map((source) => allowTcpFrom(source, spec.sshPort)),
    ports: [
      ...[...new Set(webSources)].map((source) => allowTcpFrom(source, spec.webPort)),
      `deny ${spec.webPort}/tcp`,
      `deny ${spec.apiPort}/tcp`,
    ],
  };
}
