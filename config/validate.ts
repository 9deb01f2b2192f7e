import { isIP } from "node:net";
import {
  PORT_RANGE,
  Problems,
  type Raw,
  readAbsolutePath,
  readBoolean,
  readDomain,
  readHostKey,
  readInteger,
  readIp,
  readObject,
  readString,
  readToken,
  show,
} from "./checks";
import { firewallSpecProblems } from "../render/firewall/validate";
import { DEFAULT_CONTENT_SECURITY_POLICY } from "../render/nginx/securityHeaders";
import { firewallSpecOf } from "./specs";
import { AAPANEL_LAYOUT, API_PORT, DEFAULT_MEMORY_MB, DEFAULT_WEB_PORT, REGISTRY_PASSWORD_SECRET, RESERVED_PORTS } from "./defaults";
import {
  PRODUCTION_TIERS,
  SERVICES,
  TIERS,
  type AppSettings,
  type CmConfig,
  type DockerEndpoint,
  type EdgeConfig,
  type FirewallConfig,
  type ImageSource,
  type RegistryAuth,
  type NginxLayout,
  type ServiceName,
  type SshHostConfig,
  type TierName,
} from "./types";

/** Everything in CmConfig that is plain data (secrets are Outputs, read apart). */
export type PlainConfig = Omit<CmConfig, "secrets" | "sshPrivateKey" | "registryPassword">;

export interface ValidationInput {
  readonly stackName: string;
  readonly stackFile: string;
  readonly namespace: string;
  /** Non-secret config values by key (objects already parsed). */
  readonly values: Raw;
  /** Secret keys that have a value (their values are never seen here). */
  readonly presentSecrets: ReadonlySet<string>;
  /** Secret keys this stack needs. */
  readonly requiredSecrets: readonly string[];
  /**
   * false when presentSecrets is not known (tools reading the stack file without the
   * engine): secrets that depend on other settings are then not required.
   */
  readonly secretsKnown: boolean;
}

export type ValidationResult =
  | { readonly ok: true; readonly config: PlainConfig }
  | { readonly ok: false; readonly problems: readonly string[] };

export function validateConfig(input: ValidationInput): ValidationResult {
  const problems = new Problems(input.stackFile, input.namespace);
  const v = input.values;

  const tierText = readString(problems, "tier", v.tier, input.stackName);
  const tier = (TIERS as readonly string[]).includes(tierText) ? (tierText as TierName) : undefined;
  if (tier === undefined) {
    problems.add("tier", `${show(tierText)} is not a known tier (${TIERS.join(", ")})`);
  }
  const effectiveTier: TierName = tier ?? "dev";
  const production = PRODUCTION_TIERS.includes(effectiveTier);

  const flaskHost = readSshHost(problems, "flaskHost", v.flaskHost);
  const aapanelHost = readSshHost(problems, "aapanelHost", v.aapanelHost);
  const docker = readDocker(problems, effectiveTier, v.dockerHost, v.dockerSshIdentityFile, flaskHost);

  const webPort = readInteger(problems, "webPort", v.webPort, PORT_RANGE, DEFAULT_WEB_PORT[effectiveTier]);
  const reserved = RESERVED_PORTS.get(webPort);
  if (reserved !== undefined) problems.add("webPort", `${webPort} clashes with ${reserved} (port ${webPort})`);
  else if (webPort === flaskHost.sshPort) problems.add("webPort", `${webPort} clashes with flaskHost.sshPort`);

  const lanAddress = readIp(problems, "lanAddress", v.lanAddress ?? flaskHost.address);
  const domain = readDomain(problems, "domain", v.domain);
  const images = readImages(problems, effectiveTier, v.images);

  const gunicornRaw = readObject(problems, "gunicorn", v.gunicorn, true);
  const gunicorn = {
    workers: readInteger(problems, "gunicorn.workers", gunicornRaw.workers, { min: 1, max: 64 }, 2),
    timeoutSeconds: readInteger(problems, "gunicorn.timeoutSeconds", gunicornRaw.timeoutSeconds, { min: 1, max: 3600 }, 30),
  };

  const debug = readBoolean(problems, "debug", v.debug, false);
  if (debug && production) {
    problems.add("debug", `true is forbidden on ${effectiveTier}: the Werkzeug debugger is remote code execution`);
  }
  const publishThroughEdge = readBoolean(problems, "publishThroughEdge", v.publishThroughEdge, true);
  if (publishThroughEdge && debug && !production) {
    problems.add(
      "publishThroughEdge",
      "true while debug is true: the Werkzeug debugger behind a public URL is remote code execution; set debug: false or publishThroughEdge: false",
    );
  }

  const reapplyGeneration = readToken(problems, "reapplyGeneration", v.reapplyGeneration, "0");
  const app = readApp(problems, v.app);
  checkRegistryAuth(problems, input, images, app.databaseImage);
  const edge = readEdge(problems, effectiveTier, v.edge);
  const firewall = readFirewall(problems, v.firewall);

  for (const key of input.requiredSecrets) {
    if (!input.presentSecrets.has(key)) {
      problems.add(key, `secret is missing: pulumi config set --secret ${key} --stack ${input.stackName}`);
    }
  }

  if (problems.list.length > 0) return { ok: false, problems: problems.list };
  const config: PlainConfig = {
    tier: effectiveTier,
    stackFile: input.stackFile,
    production,
    flaskHost,
    docker,
    aapanelHost,
    webPort,
    apiPort: API_PORT,
    lanAddress,
    domain,
    images,
    gunicorn,
    debug,
    publishThroughEdge,
    reapplyGeneration,
    app,
    edge,
    firewall,
  };
  // The firewall renderer accepts less than an IP in general (IPv4, canonical networks).
  for (const problem of firewallSpecProblems(firewallSpecOf(config))) {
    problems.add(firewallProblemKey(problem), problem);
  }
  return problems.list.length > 0 ? { ok: false, problems: problems.list } : { ok: true, config };
}

function firewallProblemKey(problem: string): string {
  if (problem.startsWith("allowed web source")) return "aapanelHost.address";
  if (problem.includes("admin")) return "firewall.adminSources";
  return "webPort";
}

function readSshHost(problems: Problems, key: string, value: unknown): SshHostConfig {
  const raw = readObject(problems, key, value);
  return {
    address: readIp(problems, `${key}.address`, raw.address),
    sshUser: readToken(problems, `${key}.sshUser`, raw.sshUser, "root"),
    sshPort: readInteger(problems, `${key}.sshPort`, raw.sshPort, PORT_RANGE, 22),
    hostKey: readHostKey(problems, `${key}.hostKey`, raw.hostKey),
  };
}

function readDocker(problems: Problems, tier: TierName, value: unknown, identity: unknown, flaskHost: SshHostConfig): DockerEndpoint {
  const fallback =
    tier === "dev" ? "unix:///var/run/docker.sock" : `ssh://${flaskHost.sshUser}@${flaskHost.address}:${flaskHost.sshPort}`;
  const host = readString(problems, "dockerHost", value, fallback);
  if (host.startsWith("unix://")) {
    if (tier !== "dev") problems.add("dockerHost", `${show(host)}: only dev deploys to a local socket; ${tier} uses ssh://`);
    return { kind: "local", host };
  }
  if (host.startsWith("ssh://")) {
    const identityFile = identity === undefined ? undefined : readAbsolutePath(problems, "dockerSshIdentityFile", identity);
    return { kind: "ssh", host, identityFile };
  }
  problems.add("dockerHost", `${show(host)} must start with unix:// or ssh://`);
  return { kind: "local", host };
}

const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;
const REGISTRY_PREFIX = /^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/;

function readImages(problems: Problems, tier: TierName, value: unknown): ImageSource {
  const raw = readObject(problems, "images", value);
  if (tier === "dev") {
    if (raw.registryAuth !== undefined) problems.add("images.registryAuth", "dev builds its images locally and pulls none: remove registryAuth");
    return { kind: "build", sourcePath: readAbsolutePath(problems, "images.sourcePath", raw.sourcePath) };
  }
  const prefix = readString(problems, "images.prefix", raw.prefix);
  if (prefix !== "" && !REGISTRY_PREFIX.test(prefix)) problems.add("images.prefix", `${show(prefix)} is not a registry/namespace prefix`);
  const tag = raw.tag === undefined ? undefined : readString(problems, "images.tag", raw.tag);
  const digest = raw.digest === undefined ? undefined : readString(problems, "images.digest", raw.digest);
  if (tag === undefined && digest === undefined) problems.add("images", "needs a tag or a digest");
  if (tag !== undefined && !TAG.test(tag)) problems.add("images.tag", `${show(tag)} is not a Docker tag`);
  if (digest !== undefined && !DIGEST.test(digest)) problems.add("images.digest", `${show(digest)} is not "sha256:<64 hex>"`);
  if (PRODUCTION_TIERS.includes(tier) && tag === "latest" && digest === undefined) {
    problems.add("images.tag", `"latest" on ${tier} makes deploys unrepeatable; pin a version tag or a digest`);
  }
  const auth = raw.registryAuth === undefined ? undefined : readRegistryAuth(problems, raw.registryAuth);
  return { kind: "registry", prefix, tag, digest, ...(auth === undefined ? {} : { auth }) };
}

const REGISTRY_ADDRESS = /^(localhost|[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+)(:[0-9]{1,5})?$/;

function readRegistryAuth(problems: Problems, value: unknown): RegistryAuth {
  const raw = readObject(problems, "images.registryAuth", value);
  const address = readString(problems, "images.registryAuth.address", raw.address);
  if (address !== "" && !REGISTRY_ADDRESS.test(address)) {
    problems.add("images.registryAuth.address", `${show(address)} is not a registry host[:port] (e.g. "registry.example.com" or "registry.example.com:5000")`);
  }
  const username = readToken(problems, "images.registryAuth.username", raw.username);
  for (const key of Object.keys(raw)) {
    if (key !== "address" && key !== "username") problems.add(`images.registryAuth.${key}`, "is not a setting of registryAuth (address, username; the password is the secret registryPassword)");
  }
  return { address, username };
}

/**
 * Docker's reference grammar: the first path component names a registry only when it
 * contains "." or ":" or is "localhost"; otherwise the image comes from Docker Hub.
 */
export function registryOf(reference: string): string | undefined {
  const slash = reference.indexOf("/");
  if (slash < 0) return undefined;
  const first = reference.slice(0, slash);
  return first.includes(".") || first.includes(":") || first === "localhost" ? first : undefined;
}

/** The registry password is a secret exactly when credentials are configured, never otherwise. */
function checkRegistryAuth(problems: Problems, input: ValidationInput, images: ImageSource, databaseImage: string): void {
  const auth = images.kind === "registry" ? images.auth : undefined;
  const hasPassword = input.presentSecrets.has(REGISTRY_PASSWORD_SECRET);
  if (auth === undefined) {
    if (hasPassword) problems.add(REGISTRY_PASSWORD_SECRET, "is set but images.registryAuth is not: set images.registryAuth or remove it with pulumi config rm registryPassword");
    return;
  }
  if (input.secretsKnown && !hasPassword) {
    problems.add(REGISTRY_PASSWORD_SECRET, `secret is missing (images.registryAuth is set): pulumi config set --secret ${REGISTRY_PASSWORD_SECRET} --stack ${input.stackName}`);
  }
  if (images.kind !== "registry" || auth.address === "") return;
  const registry = registryOf(images.prefix);
  if (registry !== auth.address) {
    problems.add(
      "images.registryAuth.address",
      `${show(auth.address)} is not the registry images.prefix pulls from (${registry === undefined ? "Docker Hub" : show(registry)}): images.prefix must start with "${auth.address}/"`,
    );
  }
  const database = registryOf(databaseImage);
  if (database !== undefined && database !== auth.address && hostOf(database) === hostOf(auth.address)) {
    problems.add(
      "app.databaseImage",
      `${show(databaseImage)} is on ${show(database)}, not on images.registryAuth.address ${show(auth.address)}: the credentials are sent only to ${show(auth.address)}`,
    );
  }
}

function hostOf(address: string): string {
  return address.replace(/:[0-9]+$/, "");
}

function readApp(problems: Problems, value: unknown): AppSettings {
  const raw = readObject(problems, "app", value, true);
  const memoryRaw = readObject(problems, "app.memoryLimitsMb", raw.memoryLimitsMb, true);
  const memoryLimitsMb = Object.fromEntries(
    SERVICES.map((service) => [
      service,
      readInteger(problems, `app.memoryLimitsMb.${service}`, memoryRaw[service], { min: 32, max: 65536 }, DEFAULT_MEMORY_MB[service]),
    ]),
  ) as Record<ServiceName, number>;
  for (const key of Object.keys(memoryRaw)) {
    if (!(SERVICES as readonly string[]).includes(key)) problems.add(`app.memoryLimitsMb.${key}`, "is not a service");
  }
  return {
    dbName: readToken(problems, "app.dbName", raw.dbName, "cm"),
    dbUser: readToken(problems, "app.dbUser", raw.dbUser, "cm"),
    botBaseUrl: readString(problems, "app.botBaseUrl", raw.botBaseUrl, "https://example.invalid"),
    prefixPattern: readString(problems, "app.prefixPattern", raw.prefixPattern, ""),
    databaseImage: readString(problems, "app.databaseImage", raw.databaseImage, "mysql:8.0"),
    appUser: readUidGid(problems, "app.appUser", raw.appUser, "10001:10001"),
    databaseUser: readUidGid(problems, "app.databaseUser", raw.databaseUser, "999:999"),
    memoryLimitsMb,
  };
}

function readUidGid(problems: Problems, key: string, value: unknown, fallback: string): string {
  const text = readString(problems, key, value, fallback);
  if (!/^[1-9]\d*:[1-9]\d*$/.test(text)) problems.add(key, `${show(text)} must be a non-root "uid:gid"`);
  return text;
}

function readEdge(problems: Problems, tier: TierName, value: unknown): EdgeConfig {
  const raw = readObject(problems, "edge", value, true);
  const rate = readObject(problems, "edge.rateLimit", raw.rateLimit, true);
  const layoutRaw = readObject(problems, "edge.layout", raw.layout, true);
  const layout = Object.fromEntries(
    (Object.keys(AAPANEL_LAYOUT) as (keyof NginxLayout)[]).map((key) => {
      const fallback = AAPANEL_LAYOUT[key];
      const read = key === "reloadCommand" ? readString : readAbsolutePath;
      return [key, read(problems, `edge.layout.${key}`, layoutRaw[key], fallback)];
    }),
  ) as unknown as NginxLayout;
  if (layout.stateDir.startsWith(layout.vhostDir)) {
    problems.add("edge.layout.stateDir", `${show(layout.stateDir)} is inside vhostDir: nginx would load our backups`);
  }
  const tlsRaw = raw.tls === undefined || raw.tls === null || raw.tls === false ? undefined : readObject(problems, "edge.tls", raw.tls);
  const csp = raw.contentSecurityPolicy;
  return {
    operatorUser: readToken(problems, "edge.operatorUser", raw.operatorUser, `${tier}-operator`),
    passwordRotation: readString(problems, "edge.passwordRotation", raw.passwordRotation, "1"),
    rateLimit: {
      ratePerSecond: readInteger(problems, "edge.rateLimit.ratePerSecond", rate.ratePerSecond, { min: 1, max: 100000 }, 30),
      zoneSizeMb: readInteger(problems, "edge.rateLimit.zoneSizeMb", rate.zoneSizeMb, { min: 1, max: 1024 }, 10),
      burst: readInteger(problems, "edge.rateLimit.burst", rate.burst, { min: 0, max: 100000 }, 60),
    },
    contentSecurityPolicy:
      csp === false || csp === "false" || csp === "off"
        ? false
        : readString(problems, "edge.contentSecurityPolicy", csp, DEFAULT_CONTENT_SECURITY_POLICY),
    hstsMaxAgeSeconds: readInteger(problems, "edge.hstsMaxAgeSeconds", raw.hstsMaxAgeSeconds, { min: 0, max: 63072000 }, 31536000),
    listenPort: readInteger(problems, "edge.listenPort", raw.listenPort, PORT_RANGE, tlsRaw ? 443 : 80),
    tls: tlsRaw
      ? {
          certificate: readAbsolutePath(problems, "edge.tls.certificate", tlsRaw.certificate),
          certificateKey: readAbsolutePath(problems, "edge.tls.certificateKey", tlsRaw.certificateKey),
        }
      : null,
    http2: readBoolean(problems, "edge.http2", raw.http2, false),
    layout,
  };
}

function readFirewall(problems: Problems, value: unknown): FirewallConfig {
  const raw = readObject(problems, "firewall", value, true);
  const sources = raw.adminSources ?? ["any"];
  const adminSources: string[] = [];
  if (!Array.isArray(sources) || sources.length === 0) {
    problems.add("firewall.adminSources", `must be a non-empty list of IP addresses/CIDRs or "any", got ${show(sources)}`);
  } else {
    sources.forEach((source, index) => {
      if (typeof source === "string" && (source === "any" || isAddressOrCidr(source))) adminSources.push(source);
      else problems.add(`firewall.adminSources[${index}]`, `${show(source)} is not an IP address, CIDR or "any"`);
    });
  }
  return { adminSources, enableUfw: readBoolean(problems, "firewall.enableUfw", raw.enableUfw, false) };
}

function isAddressOrCidr(text: string): boolean {
  const [address, bits, extra] = text.split("/");
  if (extra !== undefined || address === undefined) return false;
  const version = isIP(address);
  if (version === 0) return false;
  if (bits === undefined) return true;
  const max = version === 4 ? 32 : 128;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= max;
}
