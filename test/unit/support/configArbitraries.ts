import fc from "fast-check";
import { SERVICES, type TierName } from "../../../config/types";
import { publicHostKey } from "./sshKeys";

/**
 * Stack values for one tier, mostly of the right shape but reaching into the corners each
 * rule has to decide (extreme ports, '.'-led path segments, shell and nginx characters,
 * IPv6, loopback, truncated keys...), so the validator both accepts and refuses often.
 */
type Weighted<T> = { readonly weight: number; readonly arbitrary: fc.Arbitrary<T> };
const mostly = <T>(good: fc.Arbitrary<T>, bad: fc.Arbitrary<T>, badWeight = 1): fc.Arbitrary<T> =>
  fc.oneof({ weight: 30, arbitrary: good } as Weighted<T>, { weight: badWeight, arbitrary: bad } as Weighted<T>);

const printable = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)), maxLength: 40 });
const anyText = fc.string({ unit: "binary-ascii", maxLength: 30 });

const octet = fc.integer({ min: 0, max: 255 });
const ipv4 = fc.tuple(octet, octet, octet, octet).map((parts) => parts.join("."));
const oddAddress = fc.constantFrom("0.0.0.0", "127.0.0.1", "127.1.2.3", "::1", "2001:db8::10", "10.0.0", "256.1.1.1", "host.lan", " 10.0.0.1");
export const address = mostly(ipv4, oddAddress);

const portNumber = fc.oneof(fc.integer({ min: 1, max: 65535 }), fc.constantFrom(22, 80, 443, 3000, 8000, 8001, 8005, 65535, 1));
export const port: fc.Arbitrary<unknown> = mostly(
  portNumber.chain((value) => fc.constantFrom<unknown>(value, String(value))),
  fc.constantFrom<unknown>(0, 65536, -1, "80a", 1.5, "", true),
);

// Leading dots and dashes are fine inside a path; "." and ".." alone are refused (bad branch).
const segment = fc.stringMatching(/^[A-Za-z0-9._-]{1,10}$/).filter((text) => !/^\.{1,2}$/.test(text));
const goodPath = fc.array(segment, { minLength: 1, maxLength: 4 }).map((segments) => `/${segments.join("/")}`);
export const path = mostly(goodPath, fc.oneof(anyText, goodPath.map((text) => `${text}/`), goodPath.map((text) => `${text}//x`), goodPath.map((text) => `${text}/../x`)));

const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?$/);
const topLevel = fc.stringMatching(/^[a-z][a-z0-9-]{0,4}[a-z0-9]$/);
const domainName = fc.tuple(fc.array(label, { minLength: 1, maxLength: 3 }), topLevel).map(([labels, tld]) => [...labels, tld].join("."));
export const domain = mostly(domainName, fc.oneof(anyText, domainName.map((name) => `${name}; return 200`), label));

const goodToken = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,15}$/);
export const token = mostly(goodToken, fc.oneof(anyText, goodToken.map((text) => `-${text}`), goodToken.map((text) => `${text} x`)));

const quotable = fc.string({ unit: fc.constantFrom(..." !#%&'()*+,-./0123456789:;<=>?@ABCXYZ[]^_`abcxyz{|}~"), minLength: 1, maxLength: 40 });
export const headerValue = mostly(quotable, fc.oneof(printable, anyText), 2);

const word = fc.stringMatching(/^[A-Za-z0-9._/:=@+,%][A-Za-z0-9._/:=@+,%-]{0,10}$/);
const option = fc.stringMatching(/^-[A-Za-z0-9._/:=@+,%-]{1,8}$/);
const goodCommand = fc.tuple(word, fc.array(fc.oneof(word, option), { maxLength: 4 })).map(([first, rest]) => [first, ...rest].join(" "));
export const commandLine = mostly(goodCommand, fc.oneof(anyText, goodCommand.map((text) => `${text}; reboot`), goodCommand.map((text) => `${text}\nx`)));

const hostKeys = (() => {
  const ed25519 = publicHostKey("ssh-ed25519");
  const [, data = ""] = ed25519.split(" ");
  const good = [ed25519, publicHostKey("ecdsa-sha2-nistp256"), publicHostKey("ecdsa-sha2-nistp384"), publicHostKey("ecdsa-sha2-nistp521")];
  const bad = [publicHostKey("ssh-rsa"), ed25519.slice(0, -4), `ecdsa-sha2-nistp256 ${data}`, `${ed25519} comment`, "AAAA", `ssh-ed25519 ${data.slice(0, -1)}`];
  return { good, bad };
})();
export const hostKey = mostly(fc.constantFrom(...hostKeys.good), fc.constantFrom(...hostKeys.bad));

const registryHost = fc.oneof({ weight: 6, arbitrary: domainName }, { weight: 3, arbitrary: ipv4 }, { weight: 1, arbitrary: fc.constant("localhost") });
const registry = fc.tuple(registryHost, fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined })).map(([host, registryPort]) =>
  registryPort === undefined ? host : `${host}:${registryPort}`,
);
const repository = fc.stringMatching(/^[a-z0-9]+([._-][a-z0-9]+){0,2}$/);
const tag = mostly(fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,12}$/), fc.constantFrom("latest", "-x", ".x", "a b"));
const digest = mostly(fc.stringMatching(/^[a-f0-9]{64}$/).map((hex) => `sha256:${hex}`), fc.constantFrom("sha256:abc", "md5:x"));

export const databaseImage = mostly(
  fc
    .record({ registry: fc.option(registry, { nil: undefined }), name: repository, tag: fc.option(tag, { nil: undefined }), digest: fc.option(digest, { nil: undefined }) })
    .map(({ registry: at, name, tag: t, digest: d }) => `${at === undefined ? "" : `${at}/`}${name}${t === undefined ? "" : `:${t}`}${d === undefined ? "" : `@${d}`}`),
  fc.oneof(anyText, fc.constantFrom("MySQL:8", "mysql:latest", "mysql")),
);

const networkSource = fc.tuple(ipv4, fc.integer({ min: 1, max: 31 })).map(([ip, bits]) => {
  const value = ip.split(".").reduce((total, part) => total * 256 + Number(part), 0);
  const size = 2 ** (32 - bits);
  const network = value - (value % size);
  return `${[24, 16, 8, 0].map((shift) => Math.floor(network / 2 ** shift) % 256).join(".")}/${bits}`;
});
const adminSource = mostly(fc.oneof(fc.constant("any"), ipv4, networkSource), fc.constantFrom("0.0.0.0", "0.0.0.0/0", "10.0.0.5/24", "2001:db8::/32", "everyone", "10.0.0.1/32"));

const sshHost = fc.record(
  { address, sshUser: token, sshPort: port, hostKey },
  { requiredKeys: ["address", "hostKey"] },
);

const endpointOf = (user: string | undefined, host: string, endpointPort: unknown) =>
  `ssh://${user === undefined ? "" : `${user}@`}${host}${endpointPort === undefined ? "" : `:${String(endpointPort)}`}`;
const anySshEndpoint = fc
  .record({ user: fc.option(goodToken, { nil: undefined }), host: fc.oneof(ipv4, domainName), port: fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }) })
  .map(({ user, host, port: p }) => endpointOf(user, host, p));

/**
 * An ssh endpoint on the generated flaskHost (its address and sshPort, any user; the port
 * left out now and then, which means 22), or on any host and port, which must be refused
 * unless it happens to be the same one.
 */
function sshEndpoint(flaskHost: unknown) {
  const flask = typeof flaskHost === "object" && flaskHost !== null ? (flaskHost as Record<string, unknown>) : {};
  const onFlask = fc
    .record({ user: fc.option(goodToken, { nil: undefined }), omitPort: fc.boolean() })
    .map(({ user, omitPort }) => endpointOf(user, String(flask.address), omitPort && (flask.sshPort === undefined || Number(flask.sshPort) === 22) ? undefined : (flask.sshPort ?? 22)));
  return mostly(onFlask, anySshEndpoint, 4);
}
const socketEndpoint = goodPath.map((socket) => `unix://${socket}`);
const badEndpoint = fc.constantFrom("ssh://-oProxyCommand=x@h", "tcp://10.0.0.1:2375", "ssh://root@h:22/x", "ssh://root@h x", "unix://relative");

/** The engine and its ssh key file: dev's local socket, the others' ssh (the wrong kind now and then). */
function docker(tier: TierName, flaskHost: unknown) {
  const right = tier === "dev" ? socketEndpoint : sshEndpoint(flaskHost);
  const wrong = tier === "dev" ? sshEndpoint(flaskHost) : socketEndpoint;
  return fc.record(
    { dockerHost: mostly(right, fc.oneof(badEndpoint, wrong)), dockerSshIdentityFile: tier === "dev" ? mostly(fc.constant(undefined), path) : path },
    { requiredKeys: [] },
  );
}

const boolean: fc.Arbitrary<unknown> = mostly(fc.constantFrom<unknown>(true, false, "true", "false"), fc.constantFrom<unknown>("yes", 1));
const integer = (min: number, max: number): fc.Arbitrary<unknown> => mostly(fc.integer({ min, max }), fc.constantFrom<unknown>(min - 1, max + 1, "x"));

const layout = fc.record(
  { vhostDir: path, passDir: path, stateDir: path, nginxBinary: path, nginxConf: path, reloadCommand: commandLine },
  { requiredKeys: [] },
);

const edge = fc.record(
  {
    operatorUser: token,
    passwordRotation: printable,
    rateLimit: fc.record({ ratePerSecond: integer(1, 100000), zoneSizeMb: integer(1, 1024), burst: integer(1, 100000) }, { requiredKeys: [] }),
    contentSecurityPolicy: fc.oneof<fc.Arbitrary<unknown>[]>(headerValue, fc.constantFrom<unknown>(false, "false", "off")),
    hstsMaxAgeSeconds: integer(0, 63072000),
    listenPort: port,
    tls: fc.option(fc.record({ certificate: path, certificateKey: path }), { nil: null }),
    http2: boolean,
    layout,
  },
  { requiredKeys: [] },
);

const app = fc.record(
  {
    dbName: token,
    dbUser: token,
    botBaseUrl: anyText,
    prefixPattern: anyText,
    databaseImage,
    appUser: mostly(fc.tuple(fc.integer({ min: 1, max: 70000 }), fc.integer({ min: 1, max: 70000 })).map(([u, g]) => `${u}:${g}`), fc.constantFrom("0:0", "root", "1000")),
    databaseUser: fc.constantFrom("999:999", "1:1"),
    memoryLimitsMb: fc.record(Object.fromEntries(SERVICES.map((service) => [service, integer(32, 65536)])), { requiredKeys: [] }),
  },
  { requiredKeys: [] },
);

const firewall = fc.record(
  { adminSources: mostly(fc.array(adminSource, { minLength: 1, maxLength: 4 }), fc.constant<string[]>([])), enableUfw: boolean },
  { requiredKeys: [] },
);

/** Images as the tier reads them: dev builds from a path, others pull, maybe with credentials. */
function images(tier: TierName) {
  if (tier === "dev") return fc.record({ sourcePath: path });
  return fc
    .record({
      registry: fc.option(registry, { nil: undefined }),
      namespace: repository,
      tag: fc.option(tag, { nil: undefined }),
      digest: fc.option(digest, { nil: undefined }),
      auth: fc.option(fc.record({ sameRegistry: mostly(fc.constant(true), fc.constant(false)), username: token }), { nil: undefined }),
    })
    .map(({ registry: at, namespace, tag: t, digest: d, auth }) => ({
      prefix: at === undefined ? namespace : `${at}/${namespace}`,
      ...(t === undefined ? {} : { tag: t }),
      ...(d === undefined ? {} : { digest: d }),
      // Credentials go with a registry; now and then to another one than the prefix's.
      ...(auth === undefined || at === undefined ? {} : { registryAuth: { address: auth.sameRegistry ? at : "other.example.com", username: auth.username } }),
    }));
}

export interface GeneratedStack {
  readonly values: Record<string, unknown>;
  readonly registryPassword: boolean;
}

export function stackValues(tier: TierName): fc.Arbitrary<GeneratedStack> {
  return fc
    .record(
      {
        tier: mostly(fc.constant(tier), fc.constantFrom("rex", "siong", "dev", "sandbox", "staging")),
        flaskHost: sshHost,
        aapanelHost: sshHost,
        webPort: port,
        lanAddress: address,
        domain,
        images: images(tier),
        gunicorn: fc.record({ workers: integer(1, 64), timeoutSeconds: integer(1, 3600) }, { requiredKeys: [] }),
        debug: mostly(fc.constantFrom<unknown>(false, "false"), boolean),
        publishThroughEdge: boolean,
        reapplyGeneration: token,
        app,
        edge,
        firewall,
      },
      { requiredKeys: ["flaskHost", "aapanelHost", "domain", "images"] },
    )
    .chain((values) =>
      // The engine is generated after flaskHost: a right ssh:// dockerHost is on that host.
      fc.record({ engine: docker(tier, values.flaskHost), passwordMatches: mostly(fc.constant(true), fc.constant(false)) }).map(({ engine, passwordMatches }) => {
        const withAuth = isRecordWith(values.images, "registryAuth");
        const all: Record<string, unknown> = { ...values, ...Object.fromEntries(Object.entries(engine).filter(([, value]) => value !== undefined)) };
        // Mostly the password exactly when credentials are set; now and then the other way.
        return { values: all, registryPassword: passwordMatches ? withAuth : !withAuth };
      }),
    );
}

function isRecordWith(value: unknown, key: string): boolean {
  return typeof value === "object" && value !== null && key in value;
}
