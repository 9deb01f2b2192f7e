import type * as pulumi from "@pulumi/pulumi";
import { renderAaPanelFirewallScripts } from "../render/aapanelFirewall/scripts";
import type { AaPanelFirewallSpec } from "../render/aapanelFirewall/types";
import { HostRules, type HostRulesArgs } from "./hostRules";

export type AaPanelFirewallArgs = HostRulesArgs<AaPanelFirewallSpec>;

/**
 * One tier's ufw rules on the aaPanel host (tagged cm-infra:aapanel, recorded per tier):
 * the web ports to everyone, SSH and the panel to the admin sources.
 */
export class AaPanelFirewall extends HostRules<AaPanelFirewallSpec> {
  constructor(name: string, args: AaPanelFirewallArgs, opts?: pulumi.ComponentResourceOptions) {
    super("cm:firewall:AaPanelFirewall", name, args, renderAaPanelFirewallScripts, opts);
  }
}
