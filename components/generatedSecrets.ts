import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { APP_SECRET_KEYS } from "../config/defaults";
import type { AppSecrets } from "../config/types";

/**
 * App secrets made up on the spot, for the sandbox tier only: a newcomer's first deploy
 * needs no `pulumi config set --secret`. Stable across runs (they live in state).
 */
export class GeneratedSecrets extends pulumi.ComponentResource {
  public readonly secrets: AppSecrets;

  constructor(name: string, opts?: pulumi.ComponentResourceOptions) {
    super("cm:app:GeneratedSecrets", name, {}, opts);
    const entries = APP_SECRET_KEYS.map((key) => {
      const password = new random.RandomPassword(
        `${name}-${key}`,
        { length: 24, special: false },
        { parent: this, additionalSecretOutputs: ["result", "bcryptHash"] },
      );
      return [key, pulumi.secret(password.result)] as const;
    });
    this.secrets = Object.fromEntries(entries) as unknown as AppSecrets;
    this.registerOutputs({});
  }
}
