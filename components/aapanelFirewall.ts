import * as pulumi from "@pulumi/pulumi";
import type { SshHostConfig } from "../config/types";
import { renderAaPanelFirewallScripts } from "../render/aapanelFirewall/scripts";
import type { AaPanelFirewallSpec } from "../render/aapanelFirewall/types";
import { hostRulesCommand } from "./scriptedCommand";

export interface AaPanelFirewallArgs {
  readonly host: SshHostConfig;
  readonly privateKey: pulumi.Output<string>;
  readonly spec: AaPanelFirewallSpec;
  /** See CmConfig.reapplyGeneration. */
  readonly reapplyGeneration: string;
}

/**
 * One tier's ufw rules on the aaPanel host (tagged cm-infra:aapanel, recorded per tier):
 * the web ports to everyone, SSH and the panel to the admin sources.
 */
export class AaPanelFirewall extends pulumi.ComponentResource {
  /** The script's summary line. */
  public readonly result: pulumi.Output<string>;

  constructor(name: string, args: AaPanelFirewallArgs, opts?: pulumi.ComponentResourceOptions) {
    super("cm:firewall:AaPanelFirewall", name, {}, opts);
    this.result = hostRulesCommand(name, { host: args.host, privateKey: args.privateKey, scripts: renderAaPanelFirewallScripts(args.spec), reapplyGeneration: args.reapplyGeneration }, this);
    this.registerOutputs({ result: this.result });
  }
}
