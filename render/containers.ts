import type { AppSecrets, ServiceName, TierName } from "../config/types";
import { compareIpv4 } from "../config/values/addresses";

/** A value for a container env var: plain text, or the name of one of the app's secrets. */
export type EnvValue = { readonly text: string } | { readonly secret: keyof AppSecrets };

export type NetworkRole = "internal" | "egress";

export interface PublishedPort {
  readonly internal: number;
  readonly external: number;
  /** Always explicit: the Docker provider publishes on 0.0.0.0 when ip is omitted. */
  readonly ip: string;
}

export interface HealthCheck {
  readonly test: readonly string[];
  readonly intervalSeconds: number;
  readonly timeoutSeconds: number;
  readonly retries: number;
  readonly startPeriodSeconds: number;
  /**
   * How long `up` waits for "healthy" after creating the container before it fails. The
   * provider's mustRun only checks that the container was started (a crash-looping one
   * counts as running), so this wait is what makes a broken service fail the deploy.
   */
  readonly waitTimeoutSeconds: number;
}

/**
 * A duration as the Docker provider reads it back: Go's time.Duration.String()
 * (terraform-provider-docker v4.5.0 resource_docker_container_funcs.go, Read sets
 * `interval: Healthcheck.Interval.String()`). Writing "60s" would read back as "1m0s" and
 * show a diff after every refresh; writing what Go prints keeps state and reads equal.
 */
export function goDuration(totalSeconds: number): string {
  if (!Number.isInteger(totalSeconds) || totalSeconds < 0) throw new Error(`goDuration: ${totalSeconds} is not a whole number of seconds`);
  if (totalSeconds === 0) return "0s";
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  if (hours > 0) return `${hours}h${minutes}m${seconds}s`;
  if (minutes > 0) return `${minutes}m${seconds}s`;
  return `${seconds}s`;
}

/** Everything Docker needs to run one service, as plain data (the component maps it). */
export interface ServiceSpec {
  readonly service: ServiceName;
  readonly containerName: string;
  /** Which image: one of the app images, or the database image. */
  readonly image: AppImage | "database";
  readonly command: readonly string[] | undefined;
  readonly env: Readonly<Record<string, EnvValue>>;
  readonly networks: readonly { readonly role: NetworkRole; readonly aliases: readonly string[] }[];
  readonly ports: readonly PublishedPort[];
  readonly healthCheck: HealthCheck | undefined;
  readonly memoryMb: number;
  readonly user: string;
  readonly tmpfs: Readonly<Record<string, string>>;
  readonly volumes: readonly { readonly volume: "database"; readonly containerPath: string }[];
}

export const APP_IMAGES = ["cm-api", "cm-web", "cm-telegram", "cm-transfer"] as const;
export type AppImage = (typeof APP_IMAGES)[number];

/** The app's Dockerfiles inside its checkout (dev builds from these). */
export const DOCKERFILES: Readonly<Record<AppImage, string>> = {
  "cm-api": "docker/api/Dockerfile",
  "cm-web": "docker/web/Dockerfile",
  "cm-telegram": "docker/telegram/Dockerfile",
  "cm-transfer": "docker/transfer/Dockerfile",
};

export interface ServiceCatalogueInput {
  readonly tier: TierName;
  readonly production: boolean;
  readonly webPort: number;
  readonly apiPort: number;
  readonly lanAddress: string;
  readonly debug: boolean;
  readonly gunicorn: { readonly workers: number; readonly timeoutSeconds: number };
  readonly app: {
    readonly dbName: string;
    readonly dbUser: string;
    readonly botBaseUrl: string;
    readonly prefixPattern: string;
    readonly appUser: string;
    readonly databaseUser: string;
    readonly memoryLimitsMb: Readonly<Record<ServiceName, number>>;
  };
}

const WEB_CONTAINER_PORT = 8000;
const LOOPBACK = "127.0.0.1";
/** gunicorn's worker heartbeat files need a writable dir; a read-only root has none. */
const APP_TMPFS = { "/tmp": "rw,noexec,nosuid,nodev,size=64m" };

/** Where web-view is published on the LAN: the one address the edge proxies to. */
export function lanWebEndpoint(input: Pick<ServiceCatalogueInput, "lanAddress" | "webPort">): { readonly address: string; readonly port: number } {
  return { address: input.lanAddress, port: input.webPort };
}

export function containerName(tier: TierName, service: ServiceName): string {
  return `${tier}-${service}`;
}

export function networkName(tier: TierName, role: NetworkRole): string {
  return `${tier}-${role}`;
}

function gunicorn(input: ServiceCatalogueInput, port: number, app: string): string[] {
  return [
    "gunicorn",
    "--workers",
    String(input.gunicorn.workers),
    "--timeout",
    String(input.gunicorn.timeoutSeconds),
    "--worker-tmp-dir",
    "/tmp",
    "--bind",
    `0.0.0.0:${port}`,
    app,
  ];
}

/**
 * Listening check without curl/wget, which slim Python images lack. The first check runs
 * one interval after start, so the interval bounds how soon `up` sees "healthy".
 */
function tcpHealthCheck(port: number): HealthCheck {
  return {
    test: ["CMD", "python", "-c", `import socket; socket.create_connection(("127.0.0.1", ${port}), 3).close()`],
    intervalSeconds: 10,
    timeoutSeconds: 5,
    retries: 3,
    startPeriodSeconds: 20,
    waitTimeoutSeconds: 90,
  };
}

/**
 * Workers listen on nothing; "healthy" here means the container was still up when the
 * first check ran, one interval after start. A worker that dies at start-up (bad config,
 * missing secret) restarts before that and never becomes healthy, so `up` fails on it.
 */
const WORKER_LIVENESS_CHECK: HealthCheck = {
  test: ["CMD", "python", "-c", "import os; os.kill(1, 0)"],
  intervalSeconds: 10,
  timeoutSeconds: 5,
  retries: 3,
  startPeriodSeconds: 0,
  waitTimeoutSeconds: 60,
};

function databaseEnv(input: ServiceCatalogueInput): Record<string, EnvValue> {
  return {
    DB_HOST: { text: "mysql" },
    DB_PORT: { text: "3306" },
    DB_NAME: { text: input.app.dbName },
    DB_USER: { text: input.app.dbUser },
    DB_PASSWORD: { secret: "dbPassword" },
  };
}

function appEnv(input: ServiceCatalogueInput): Record<string, EnvValue> {
  return {
    PYTHONUNBUFFERED: { text: "1" },
    CM_DEBUG: { text: input.debug ? "true" : "false" },
    ...databaseEnv(input),
    CM_AGENT_ID: { secret: "agentId" },
    CM_AGENT_PASSWORD: { secret: "agentPassword" },
    CM_SECURITY_PIN: { secret: "securityPin" },
    CM_BOT_BASE_URL: { text: input.app.botBaseUrl },
    CM_PREFIX_PATTERN: { text: input.app.prefixPattern },
  };
}

/**
 * web-view's host bindings. Every tier publishes on the LAN address, the proxy's only way
 * in. Dev adds 127.0.0.1 so the developer can load http://localhost:<webPort> on the dev
 * PC (the operator guide's dev firewall keeps a localhost rule for exactly that); the
 * proxy cannot reach loopback, and production tiers never bind it.
 *
 * Order: the Docker provider's Read stores `ports` as flattenContainerPorts builds it,
 * sorted by container port, then one entry per host binding in the order the engine
 * reports them (terraform-provider-docker v4.5.0 resource_docker_container_structures.go),
 * and create ends with that Read. `ports` is a ForceNew list compared index by index (its
 * DiffSuppressFunc matches each stored binding with the first new one of the same
 * container port, which two bindings of one port never pass), so an order the engine does
 * not report makes every later preview replace web-view. Docker >= 27 reports bindings of
 * one container port sorted by host address (libnetwork's bridge driver: cmpPortBinding,
 * later PortBindingReq.Compare; moby v27.0.1 to v29), hence ascending address order here.
 * Docker 20.10 to 26 report the reverse of the order written, whatever it is: the
 * comparator of go-connections' nat.SortPortMap calls either of two such bindings the
 * lesser, and Go's insertion sort swaps them (seen on 20.10.24 with docker inspect). No
 * written order is steady there, which is why dev wants Docker >= 27.
 */
function webViewPorts(input: ServiceCatalogueInput): PublishedPort[] {
  const lan = lanWebEndpoint(input);
  const addresses = input.production || lan.address === LOOPBACK ? [lan.address] : [lan.address, LOOPBACK].sort(compareIpv4);
  return addresses.map((ip) => ({ internal: WEB_CONTAINER_PORT, external: lan.port, ip }));
}

/**
 * The cm stack for one tier. Production runs gunicorn and publishes only web-view on the
 * LAN address; dev runs Flask's dev server and adds web-view and the API on loopback.
 */
export function serviceCatalogue(input: ServiceCatalogueInput): ServiceSpec[] {
  const { tier, production } = input;
  const common = (service: ServiceName) => ({
    service,
    containerName: containerName(tier, service),
    memoryMb: input.app.memoryLimitsMb[service],
  });

  const mysql: ServiceSpec = {
    ...common("mysql"),
    image: "database",
    command: undefined,
    env: {
      MYSQL_DATABASE: { text: input.app.dbName },
      MYSQL_USER: { text: input.app.dbUser },
      MYSQL_PASSWORD: { secret: "dbPassword" },
      MYSQL_ROOT_PASSWORD: { secret: "dbRootPassword" },
    },
    networks: [{ role: "internal", aliases: ["mysql"] }],
    ports: [],
    healthCheck: {
      test: ["CMD", "mysqladmin", "ping", "-h", "127.0.0.1", "--silent"],
      intervalSeconds: 15,
      timeoutSeconds: 5,
      retries: 5,
      startPeriodSeconds: 60,
      // A first start initialises the data directory (MySQL 8: often a minute or more).
      waitTimeoutSeconds: 240,
    },
    user: input.app.databaseUser,
    tmpfs: { "/tmp": "rw,noexec,nosuid,nodev,size=64m", "/run/mysqld": "rw,noexec,nosuid,nodev,size=16m,mode=1777" },
    volumes: [{ volume: "database", containerPath: "/var/lib/mysql" }],
  };

  const apiServer: ServiceSpec = {
    ...common("api-server"),
    image: "cm-api",
    command: production ? gunicorn(input, input.apiPort, "app.cm_api:create_app()") : ["python", "-m", "app.cm_api"],
    env: appEnv(input),
    // Docker cannot publish from an internal-only network, so dev's loopback port needs the bridge too.
    networks: production
      ? [{ role: "internal", aliases: ["api-server"] }]
      : [
          { role: "internal", aliases: ["api-server"] },
          { role: "egress", aliases: ["api-server"] },
        ],
    ports: production ? [] : [{ internal: input.apiPort, external: input.apiPort, ip: "127.0.0.1" }],
    healthCheck: tcpHealthCheck(input.apiPort),
    user: input.app.appUser,
    tmpfs: APP_TMPFS,
    volumes: [],
  };

  const webView: ServiceSpec = {
    ...common("web-view"),
    image: "cm-web",
    command: production ? gunicorn(input, WEB_CONTAINER_PORT, "app.cm_web_view:app") : ["python", "-m", "app.cm_web_view"],
    env: { PYTHONUNBUFFERED: { text: "1" }, CM_DEBUG: { text: input.debug ? "true" : "false" }, CM_API_URL: { text: `http://api-server:${input.apiPort}` } },
    // Publishing needs a non-internal network; api-server is reached by name on the internal one.
    networks: [
      { role: "internal", aliases: ["web-view"] },
      { role: "egress", aliases: ["web-view"] },
    ],
    ports: webViewPorts(input),
    healthCheck: tcpHealthCheck(WEB_CONTAINER_PORT),
    user: input.app.appUser,
    tmpfs: APP_TMPFS,
    volumes: [],
  };

  const worker = (service: ServiceName, image: AppImage, module: string, extraEnv: Record<string, EnvValue>): ServiceSpec => ({
    ...common(service),
    image,
    command: ["python", "-m", module],
    env: { ...appEnv(input), ...extraEnv },
    // Workers scrape the upstream site and talk to Telegram: they keep egress.
    networks: [
      { role: "internal", aliases: [service] },
      { role: "egress", aliases: [service] },
    ],
    ports: [],
    healthCheck: WORKER_LIVENESS_CHECK,
    user: input.app.appUser,
    tmpfs: APP_TMPFS,
    volumes: [],
  });

  return [
    mysql,
    apiServer,
    webView,
    worker("telegram-bot", "cm-telegram", "app.cm_telegram", { TELEGRAM_BOT_TOKEN: { secret: "telegramBotToken" } }),
    worker("credit-transfer", "cm-transfer", "app.cm_transfer_credit", {}),
  ];
}
