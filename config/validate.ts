import { publishAddressProblems } from "./values/addresses";
import { domainProblems, tokenProblems } from "./values/names";
import { PORT_RANGE } from "./values/numbers";
import { AAPANEL_FIREWALL_KEY, checkPanelPort, firewallOf, readAaPanelFirewall } from "./aapanelFirewall";
import { readApp } from "./app";
import { API_PORT, DEFAULT_WEB_PORT } from "./defaults";
import { readEdge } from "./edge";
import { readFirewall } from "./firewall";
import { checkHostPorts } from "./hostPorts";
import { readDocker, readSshHost } from "./hosts";
import { checkRegistryAuth, readImages } from "./images";
import { SECRET_KEYS, SETTING_KEYS } from "./keys";
import { Problems, type Raw, Reader, show } from "./reader";
import { PRODUCTION_TIERS, TIERS, type CmConfig, type TierName } from "./types";

/** Everything in CmConfig that is plain data (secrets are Outputs, read apart). */
export type PlainConfig = Omit<CmConfig, "secrets" | "sshPrivateKey" | "registryPassword">;

export interface ValidationInput {
  readonly stackName: string;
  readonly stackFile: string;
  readonly namespace: string;
  /**
   * Every non-secret key of the namespace set for this stack (objects already parsed).
   * Keys cm-infra does not know are present with their value unread.
   */
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

/**
 * The tier names the files, firewall chain and htpasswd cm-infra writes on hosts tiers
 * share: a stack deploying another stack's tier would overwrite that tier's site. The
 * sandbox tier runs on throwaway hosts, under any stack name.
 */
function readTier(read: Reader, stackName: string, value: unknown): TierName | undefined {
  const text = read.string("tier", value, stackName);
  if (!(TIERS as readonly string[]).includes(text)) {
    read.add("tier", `${show(text)} is not a known tier (${TIERS.join(", ")})`);
    return undefined;
  }
  const tier = text as TierName;
  if (tier !== stackName && tier !== "sandbox") {
    read.add(
      "tier",
      `${show(tier)} does not match the stack name ${show(stackName)}: stack ${stackName} would overwrite ${tier}'s site, firewall chain and htpasswd; set tier: ${stackName} (or deploy ${tier} from its own stack)`,
    );
  }
  return tier;
}

export function validateConfig(input: ValidationInput): ValidationResult {
  const read = new Reader(new Problems(input.stackFile, input.namespace));
  const v = read.section("", input.values, [...SETTING_KEYS, ...SECRET_KEYS]);

  const tier = readTier(read, input.stackName, v.tier);
  const effectiveTier: TierName = tier ?? "dev";
  const production = PRODUCTION_TIERS.includes(effectiveTier);
  if (v.sandboxState !== undefined && effectiveTier !== "sandbox") {
    read.add("sandboxState", `is read only on the sandbox tier, not on ${effectiveTier}: remove it`);
  }

  const flaskHost = readSshHost(read, "flaskHost", v.flaskHost);
  const aapanelHost = readSshHost(read, "aapanelHost", v.aapanelHost, [AAPANEL_FIREWALL_KEY]);
  const aapanelFirewall = readAaPanelFirewall(read, firewallOf(v.aapanelHost));
  const docker = readDocker(read, effectiveTier, v.dockerHost, v.dockerSshIdentityFile, flaskHost);
  const webPort = read.integer("webPort", v.webPort, PORT_RANGE, DEFAULT_WEB_PORT[effectiveTier]);

  const debug = read.boolean("debug", v.debug, false);
  if (debug && production) {
    read.add("debug", `true is forbidden on ${effectiveTier}: the Werkzeug debugger is remote code execution; set debug: false`);
  }
  const publishThroughEdge = read.boolean("publishThroughEdge", v.publishThroughEdge, true);
  if (publishThroughEdge && debug && !production) {
    read.add(
      "publishThroughEdge",
      "true while debug is true: the Werkzeug debugger behind a public URL is remote code execution; set debug: false or publishThroughEdge: false",
    );
  }

  const lanAddress = read.checked("lanAddress", v.lanAddress ?? (flaskHost.address || undefined), (text) => publishAddressProblems(text, publishThroughEdge));
  const domain = read.checked("domain", v.domain, domainProblems);
  const images = readImages(read, effectiveTier, v.images);
  const gunicornRaw = read.section("gunicorn", v.gunicorn, ["workers", "timeoutSeconds"], { optional: true });
  const gunicorn = {
    workers: read.integer("gunicorn.workers", gunicornRaw.workers, { min: 1, max: 64 }, 2),
    timeoutSeconds: read.integer("gunicorn.timeoutSeconds", gunicornRaw.timeoutSeconds, { min: 1, max: 3600 }, 30),
  };
  const reapplyGeneration = read.checked("reapplyGeneration", v.reapplyGeneration, tokenProblems, "0");
  const app = readApp(read, effectiveTier, v.app);
  const edge = readEdge(read, effectiveTier, v.edge);
  const firewall = readFirewall(read, v.firewall);

  checkHostPorts(read, {
    webPort,
    apiPort: API_PORT,
    flaskSshPort: flaskHost.sshPort,
    listenPort: edge.listenPort,
    aapanelSshPort: aapanelHost.sshPort,
    publishThroughEdge,
    oneHost: flaskHost.address !== "" && flaskHost.address === aapanelHost.address,
  });
  if (aapanelFirewall !== undefined) {
    checkPanelPort(read, aapanelFirewall, {
      aapanelSshPort: aapanelHost.sshPort,
      listenPort: edge.listenPort,
      publishThroughEdge,
      oneHost: flaskHost.address !== "" && flaskHost.address === aapanelHost.address,
      webPort,
      apiPort: API_PORT,
      flaskSshPort: flaskHost.sshPort,
    });
  }
  checkRegistryAuth(read, images, app.databaseImage, { present: input.presentSecrets, known: input.secretsKnown, stackName: input.stackName });
  for (const key of input.requiredSecrets) {
    if (!input.presentSecrets.has(key)) read.add(key, `secret is missing: pulumi config set --secret ${key} --stack ${input.stackName}`);
  }

  const problems = read.problems.list;
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    config: {
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
      aapanelFirewall,
    },
  };
}
