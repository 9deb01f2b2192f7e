import type * as pulumi from "@pulumi/pulumi";

export const TIERS = ["rex", "siong", "dev", "sandbox"] as const;
export type TierName = (typeof TIERS)[number];

/**
 * Tiers that run the production flavour (gunicorn, registry images, no API port, debug
 * forbidden). The sandbox rehearses production on local hosts.
 */
export const PRODUCTION_TIERS: readonly TierName[] = ["rex", "siong", "sandbox"];

/** A host reached over SSH by `@pulumi/command` (and by Docker for ssh:// engines). */
export interface SshHostConfig {
  readonly address: string;
  readonly sshUser: string;
  readonly sshPort: number;
  /** Pinned host public key, e.g. "ssh-ed25519 AAAA...". The provider checks nothing without it. */
  readonly hostKey: string;
}

export type DockerEndpoint =
  | { readonly kind: "local"; readonly host: string }
  | {
      readonly kind: "ssh";
      readonly host: string;
      /** Key file on the deploying machine for Docker's ssh transport; else ssh-agent/default keys. */
      readonly identityFile?: string;
    };

/**
 * Credentials the Docker provider sends when it pulls from a private registry. The real
 * provider pulls through the engine API with its own `registryAuth` only: a `docker login`
 * on the host is never used. The password is the secret `registryPassword`.
 */
export interface RegistryAuth {
  /** Registry host[:port] as it appears at the start of the image references. */
  readonly address: string;
  readonly username: string;
}

export type ImageSource =
  | { readonly kind: "registry"; readonly prefix: string; readonly tag?: string; readonly digest?: string; readonly auth?: RegistryAuth }
  | { readonly kind: "build"; readonly sourcePath: string };

export interface RateLimitConfig {
  readonly ratePerSecond: number;
  readonly zoneSizeMb: number;
  readonly burst: number;
}

/** Where aaPanel keeps things; defaults are aaPanel 8.x's layout. */
export interface NginxLayout {
  /** Folder nginx.conf includes at http level (`*.conf`). */
  readonly vhostDir: string;
  /** Parent of per-site htpasswd folders. */
  readonly passDir: string;
  /** cm-infra's own state on the host: backups, manifests, lock. Never under vhostDir. */
  readonly stateDir: string;
  readonly nginxBinary: string;
  readonly nginxConf: string;
  readonly reloadCommand: string;
}

export interface TlsConfig {
  readonly certificate: string;
  readonly certificateKey: string;
}

export interface EdgeConfig {
  readonly operatorUser: string;
  /** Change this value to rotate the operator password. */
  readonly passwordRotation: string;
  readonly rateLimit: RateLimitConfig;
  /** false turns the Content-Security-Policy header off. */
  readonly contentSecurityPolicy: string | false;
  /** Sent only with TLS: browsers ignore HSTS over plain HTTP. */
  readonly hstsMaxAgeSeconds: number;
  readonly listenPort: number;
  readonly tls: TlsConfig | null;
  /** `http2 on;` (with TLS only) needs nginx >= 1.25.1; aaPanel's 1.24 and Debian 12's 1.22 reject it, so it is opt-in. */
  readonly http2: boolean;
  readonly layout: NginxLayout;
}

export interface FirewallConfig {
  /** Sources allowed to reach SSH; "any" allows every address. */
  readonly adminSources: readonly string[];
  /** Enabling an inactive ufw is an explicit choice, never a side effect. */
  readonly enableUfw: boolean;
}

/** aapanelHost.firewall: ufw on the aaPanel host (absent: cm-infra manages none there). */
export interface AaPanelFirewallConfig {
  /** Sources allowed to reach SSH and the panel; "any" allows every address. */
  readonly adminSources: readonly string[];
  /** The panel's own port (aaPanel's is configurable; 7800 and 8888 are common). */
  readonly panelPort: number;
  /** Enabling an inactive ufw is an explicit choice, never a side effect. */
  readonly enableUfw: boolean;
}

export interface AppSettings {
  readonly dbName: string;
  readonly dbUser: string;
  readonly botBaseUrl: string;
  readonly prefixPattern: string;
  readonly memoryLimitsMb: Readonly<Record<ServiceName, number>>;
  readonly databaseImage: string;
  /** uid:gid the app containers run as. */
  readonly appUser: string;
  /** uid:gid the database runs as (the image's own mysql user). */
  readonly databaseUser: string;
}

export const SERVICES = ["mysql", "api-server", "web-view", "telegram-bot", "credit-transfer"] as const;
export type ServiceName = (typeof SERVICES)[number];

export interface AppSecrets {
  readonly dbPassword: pulumi.Output<string>;
  readonly dbRootPassword: pulumi.Output<string>;
  readonly agentId: pulumi.Output<string>;
  readonly agentPassword: pulumi.Output<string>;
  readonly securityPin: pulumi.Output<string>;
  readonly telegramBotToken: pulumi.Output<string>;
}

export interface CmConfig {
  readonly tier: TierName;
  readonly stackFile: string;
  readonly production: boolean;
  readonly flaskHost: SshHostConfig;
  readonly docker: DockerEndpoint;
  readonly aapanelHost: SshHostConfig;
  readonly webPort: number;
  readonly apiPort: number;
  readonly lanAddress: string;
  readonly domain: string;
  readonly images: ImageSource;
  readonly gunicorn: { readonly workers: number; readonly timeoutSeconds: number };
  readonly debug: boolean;
  /** Route the public domain to this tier through aaPanel (dev: only with debug off). */
  readonly publishThroughEdge: boolean;
  /**
   * Bump to re-run every remote script in place (they are idempotent): the way to repair
   * drift on SSH-installed files, which no refresh can see.
   */
  readonly reapplyGeneration: string;
  readonly app: AppSettings;
  readonly edge: EdgeConfig;
  readonly firewall: FirewallConfig;
  /** The config key aapanelHost.firewall; undefined when the stack file has none. */
  readonly aapanelFirewall: AaPanelFirewallConfig | undefined;
  /** undefined on the sandbox tier, whose app secrets are generated (GeneratedSecrets). */
  readonly secrets: AppSecrets | undefined;
  /** Secret `registryPassword`; set exactly when `images.registryAuth` is. */
  readonly registryPassword: pulumi.Output<string> | undefined;
  /** Private key the deployer uses for SSH to both hosts. */
  readonly sshPrivateKey: pulumi.Output<string>;
}
