export type { AaPanelFirewallSpec } from "./types";
export { AAPANEL_UFW_COMMENT, renderAaPanelUfwRules, type AaPanelRule, type AaPanelRuleKind } from "./rules";
export { renderAaPanelFirewallScripts, renderAaPanelFirewallApplyScript, renderAaPanelFirewallDeleteScript, aapanelScriptHeader } from "./scripts";
export { aapanelFirewallSpecProblems, assertValidAaPanelFirewallSpec } from "./validate";
export { AAPANEL_FIREWALL_HOST_PATHS, AAPANEL_FIREWALL_SUMMARY_PATTERN, aapanelRecordPath } from "./hostPaths";
export { AAPANEL_RULES_BASH } from "./bash/rules";
