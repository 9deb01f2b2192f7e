import * as pulumi from "@pulumi/pulumi";
import type { SshHostConfig } from "../config/types";
import { renderFirewallScripts } from "../render/firewall/scripts";
import type { FirewallSpec } from "../render/firewall/types";
import { withReapplyGeneration } from "../render/remoteScripts";
import { scriptedCommand } from "./scriptedCommand";

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
    const scripts = withReapplyGeneration(renderFirewallScripts(args.spec), args.reapplyGeneration);
    const rules = scriptedCommand(
      `${name}-rules`,
      { host: args.host, privateKey: args.privateKey, scripts, triggers: [args.host.address, String(args.host.sshPort)] },
      { parent: this },
    );
    this.result = rules.stdout;
    this.registerOutputs({ result: this.result });
  }
}
