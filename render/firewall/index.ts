export type { FirewallSpec } from "./types";
export { renderFirewallScripts, renderFirewallApplyScript, renderFirewallDeleteScript } from "./scripts";
export { renderDockerUserFragment, tierChainName } from "./dockerUser";
export { renderUfwRules, ufwOwnerComment, UFW_COMMENT_PREFIX, type UfwRuleSet } from "./ufwRules";
export { assertValidFirewallSpec, firewallSpecProblems } from "./validate";
export { FIREWALL_HOST_PATHS, FIREWALL_SUMMARY_PATTERN } from "./hostPaths";
