import * as pulumi from "@pulumi/pulumi";
import type { SshHostConfig } from "../config/types";
import { renderFirewallScripts } from "../render/firewall/scripts";
import type { FirewallSpec } from "../render/firewall/types";
import { hostRulesCommand } from "./scriptedCommand";

export interface HostFirewallArgs {
  readonly host: SshHostConfig;
  readonly privateKey: pulumi.Output<string>;
  readonly spec: FirewallSpec;
  /** See CmConfig.reapplyGeneration. */
  readonly reapplyGeneration: string;
}

/**
 * The Flask host's firewall for one tier: DOCKER-USER rules for the published web and API
 * ports (ufw's own rules never see Docker's DNAT), persisted in ufw's after.rules, and
 * tagged plain ufw rules for the host's own ports.
 */
export class HostFirewall extends pulumi.ComponentResource {
  public readonly result: pulumi.Output<string>;

  constructor(name: string, args: HostFirewallArgs, opts?: pulumi.ComponentResourceOptions) {
    super("cm:firewall:HostFirewall", name, {}, opts);
    this.result = hostRulesCommand(name, { host: args.host, privateKey: args.privateKey, scripts: renderFirewallScripts(args.spec), reapplyGeneration: args.reapplyGeneration }, this);
    this.registerOutputs({ result: this.result });
  }
}
