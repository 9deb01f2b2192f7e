import type * as pulumi from "@pulumi/pulumi";
import { renderFirewallScripts } from "../render/firewall/scripts";
import type { FirewallSpec } from "../render/firewall/types";
import { HostRules, type HostRulesArgs } from "./hostRules";

export type HostFirewallArgs = HostRulesArgs<FirewallSpec>;

/**
 * The Flask host's firewall for one tier: DOCKER-USER rules for the published web and API
 * ports (ufw's own rules never see Docker's DNAT), persisted in ufw's after.rules, and
 * tagged plain ufw rules for the host's own ports.
 */
export class HostFirewall extends HostRules<FirewallSpec> {
  constructor(name: string, args: HostFirewallArgs, opts?: pulumi.ComponentResourceOptions) {
    super("cm:firewall:HostFirewall", name, args, renderFirewallScripts, opts);
  }
}
