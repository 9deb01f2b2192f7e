import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { SshHostConfig } from "../config/types";
import { edgeSiteScripts } from "../render/nginx/edgeSiteScripts";
import { htpasswdScripts } from "../render/nginx/htpasswdScripts";
import { renderHtpasswd } from "../render/nginx/htpasswd";
import type { EdgeSite } from "../render/nginx/types";
import { withReapplyGeneration } from "../render/remoteScripts";
import { scriptedCommand } from "./scriptedCommand";

export interface AaPanelEdgeArgs {
  readonly host: SshHostConfig;
  readonly privateKey: pulumi.Output<string>;
  /** The tier's complete site (render/nginx/site.ts). */
  readonly site: EdgeSite;
  readonly operatorUser: string;
  /** Any change generates a new operator password. */
  readonly passwordRotation: string;
  /** See CmConfig.reapplyGeneration. */
  readonly reapplyGeneration: string;
  /**
   * What the site proxies to. The site waits for it, so it never proxies to a service that
   * is not up, and goes before it on destroy. The htpasswd file does not wait.
   */
  readonly app: pulumi.Resource;
}

/**
 * The tier's site on the aaPanel host: the operator's htpasswd and the nginx file,
 * installed over SSH by scripts that test before reloading and restore on failure.
 */
export class AaPanelEdge extends pulumi.ComponentResource {
  public readonly operatorPassword: pulumi.Output<string>;
  public readonly installedFiles: pulumi.Output<string[]>;
  /** The site script's summary line (e.g. whether nginx reloaded). */
  public readonly siteResult: pulumi.Output<string>;

  constructor(name: string, args: AaPanelEdgeArgs, opts?: pulumi.ComponentResourceOptions) {
    super("cm:edge:AaPanelEdge", name, {}, opts);
    const { site } = args;
    // Moving to another host, or to another stateDir (where the manifest of installed files
    // lives), replaces: the old delete runs first with the old inputs, then the new create.
    const hostIdentity = [args.host.address, String(args.host.sshPort), site.layout.stateDir];

    const password = new random.RandomPassword(
      `${name}-operator-password`,
      { length: 32, special: false, keepers: { rotation: args.passwordRotation } },
      { parent: this, additionalSecretOutputs: ["result", "bcryptHash"] },
    );

    const htpasswd = withReapplyGeneration(htpasswdScripts(site), args.reapplyGeneration);
    // Only the bcrypt hash travels, on stdin; the plaintext never leaves this program.
    const htpasswdLine = pulumi.secret(password.bcryptHash.apply((hash) => renderHtpasswd(args.operatorUser, hash)));
    // The htpasswd file is inert until the site names it, so it does not wait for the app:
    // the engine writes it meanwhile, and a converge's last step is the site alone.
    const credentials = scriptedCommand(
      `${name}-htpasswd`,
      { host: args.host, privateKey: args.privateKey, scripts: htpasswd, stdin: htpasswdLine, triggers: hostIdentity },
      { parent: this, additionalSecretOutputs: ["stdin"] },
    );

    const scripts = withReapplyGeneration(edgeSiteScripts(site), args.reapplyGeneration);
    const siteCommand = scriptedCommand(
      `${name}-site`,
      { host: args.host, privateKey: args.privateKey, scripts, triggers: hostIdentity },
      { parent: this, dependsOn: [credentials, args.app] },
    );

    this.operatorPassword = pulumi.secret(password.result);
    this.installedFiles = pulumi.output([...site.files.map((file) => file.path), site.paths.htpasswdFile]);
    this.siteResult = siteCommand.stdout;
    this.registerOutputs({
      operatorPassword: this.operatorPassword,
      installedFiles: this.installedFiles,
      siteResult: this.siteResult,
    });
  }
}
