import * as pulumi from "@pulumi/pulumi";
import { describe, expect, test } from "vitest";
import { fakeSecret } from "../support/program";
import { SANDBOX_FIXTURE, type StackValues, committedValues, requiredSecrets, runWithValues } from "./support/configRuns";
import { publicHostKey } from "./support/sshKeys";

/**
 * Malformed stack files, each derived from a committed Pulumi.<stack>.yaml by one change,
 * run through the whole program under Pulumi's mocks: each must be refused by config
 * validation (a RunError: the CLI prints it without a stack trace), with a line naming the
 * stack file, the key and the problem, before a single resource is registered.
 */
interface Malformed {
  readonly name: string;
  readonly stack: "rex" | "siong" | "dev" | "sandbox";
  readonly change: (values: StackValues, secrets: Record<string, string>) => void;
  /** The key the problem is reported under. */
  readonly key: string;
  /** Text the line must hold after "<file>: cm-infra:<key>: ". */
  readonly says: string;
  readonly plaintext?: readonly string[];
}

type Section = Record<string, unknown>;
const section = (values: StackValues, key: string): Section => (values[key] ??= {}) as Section;
const set = (key: string, value: unknown) => (values: StackValues) => {
  values[key] = value;
};
const setIn = (path: string, value: unknown) => (values: StackValues) => {
  const [top = "", ...rest] = path.split(".");
  let target = section(values, top);
  for (const part of rest.slice(0, -1)) target = (target[part] ??= {}) as Section;
  target[rest[rest.length - 1] ?? ""] = value;
};
const rename = (path: string, to: string) => (values: StackValues) => {
  const parts = path.split(".");
  let target: Section = values;
  for (const part of parts.slice(0, -1)) target = target[part] as Section;
  const last = parts[parts.length - 1] ?? "";
  target[to] = target[last];
  delete target[last];
};

/**
 * Puts this stack's Flask host (and lanAddress) on the address of another committed
 * stack's host (its flaskHost, or its aapanelHost), keeping this stack's host key; keys
 * lists settings to take over from that stack as well.
 */
const moveTo =
  (stack: string, keys: readonly string[], host: "flaskHost" | "aapanelHost" = "flaskHost") =>
  (values: StackValues) => {
    const other = committedValues(stack);
    const address = (other[host] as Section).address;
    setIn("flaskHost.address", address)(values);
    values.lanAddress = address;
    for (const key of keys) values[key] = other[key];
  };

const ED25519 = publicHostKey("ssh-ed25519");
const [, ED25519_DATA = ""] = ED25519.split(" ");
const RSA = publicHostKey("ssh-rsa");
/** A well-framed ed25519 blob whose key is 31 bytes: decodes, but is no ed25519 key. */
const SHORT_ED25519 = `ssh-ed25519 ${Buffer.concat([Buffer.from([0, 0, 0, 11]), Buffer.from("ssh-ed25519"), Buffer.from([0, 0, 0, 31]), Buffer.alloc(31, 7)]).toString("base64")}`;
const REX_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGxp1CMRnUYkLU9L9Ivyo2uI/n6C9mDwZYhWn+PLopLB";
const AUTH = { address: "registry.example.com", username: "deployer" };

const CASES: readonly Malformed[] = [
  // Unknown keys, at every level, with the key they most likely meant.
  { name: "firewall.adminSource (opens SSH to everyone if ignored)", stack: "rex", change: rename("firewall.adminSources", "adminSource"), key: "firewall.adminSource", says: "is not a setting of firewall; did you mean adminSources?" },
  { name: "edge.TLS (drops TLS if ignored)", stack: "rex", change: rename("edge.tls", "TLS"), key: "edge.TLS", says: "is not a setting of edge; did you mean tls?" },
  { name: "images.digests (deploys the tag if ignored)", stack: "rex", change: setIn("images.digests", `sha256:${"a".repeat(64)}`), key: "images.digests", says: "is not a setting of images; did you mean digest?" },
  { name: "a misspelt top-level key", stack: "dev", change: rename("webPort", "webport"), key: "webport", says: "is not a cm-infra setting; did you mean webPort?" },
  { name: "flaskHost.hostkey", stack: "rex", change: rename("flaskHost.hostKey", "hostkey"), key: "flaskHost.hostkey", says: "is not a setting of flaskHost; did you mean hostKey?" },
  { name: "aapanelHost.port", stack: "siong", change: setIn("aapanelHost.port", 22), key: "aapanelHost.port", says: "is not a setting of aapanelHost (aapanelHost takes address, sshUser, sshPort, hostKey, firewall)" },
  { name: "edge.layout.reloadCmd", stack: "rex", change: setIn("edge.layout.reloadCmd", "nginx -s reload"), key: "edge.layout.reloadCmd", says: "is not a setting of edge.layout" },
  { name: "edge.rateLimit.brust", stack: "rex", change: setIn("edge.rateLimit.brust", 10), key: "edge.rateLimit.brust", says: "did you mean burst?" },
  { name: "edge.tls.cert", stack: "siong", change: setIn("edge.tls.cert", "/etc/ssl/x.pem"), key: "edge.tls.cert", says: "is not a setting of edge.tls" },
  { name: "gunicorn.worker", stack: "rex", change: rename("gunicorn.workers", "worker"), key: "gunicorn.worker", says: "did you mean workers?" },
  { name: "app.memoryLimitsMb of no service", stack: "rex", change: setIn("app.memoryLimitsMb.mariadb", 512), key: "app.memoryLimitsMb.mariadb", says: "is not a setting of app.memoryLimitsMb" },
  { name: "app.dbname", stack: "rex", change: rename("app.dbName", "dbname"), key: "app.dbname", says: "did you mean dbName?" },
  { name: "images.registryAuth.user", stack: "rex", change: setIn("images.registryAuth", { address: AUTH.address, user: "deployer" }), key: "images.registryAuth.user", says: "is not a setting of images.registryAuth" },
  { name: "firewall.enableUFW", stack: "siong", change: rename("firewall.enableUfw", "enableUFW"), key: "firewall.enableUFW", says: "did you mean enableUfw?" },
  { name: "images.prefix on dev, which builds", stack: "dev", change: setIn("images.prefix", "registry.example.com/cm"), key: "images.prefix", says: "dev builds its images from images.sourcePath" },
  { name: "images.sourcePath on rex, which pulls", stack: "rex", change: setIn("images.sourcePath", "/src/cm"), key: "images.sourcePath", says: "only dev builds from a checkout" },
  { name: "sandboxState outside the sandbox", stack: "rex", change: set("sandboxState", SANDBOX_FIXTURE), key: "sandboxState", says: "is read only on the sandbox tier" },
  { name: "hosts in the sandbox's stack file", stack: "sandbox", change: set("lanAddress", "198.51.100.9"), key: "lanAddress", says: "is filled in from sandboxState" },
  { name: "a misspelt secret (its value never shown)", stack: "rex", change: (_values, secrets) => ((secrets.dbPasword = fakeSecret("dbPasword")), delete secrets.dbPassword), key: "dbPasword", says: "is not a cm-infra setting; did you mean dbPassword?" },
  // The tier must be the stack's own.
  { name: "rex deploying siong's tier", stack: "rex", change: set("tier", "siong"), key: "tier", says: '"siong" does not match the stack name "rex"' },
  { name: "siong deploying rex's tier", stack: "siong", change: set("tier", "rex"), key: "tier", says: '"rex" does not match the stack name "siong"' },
  { name: "dev deploying rex's tier", stack: "dev", change: set("tier", "rex"), key: "tier", says: '"rex" does not match the stack name "dev"' },
  { name: "an unknown tier", stack: "rex", change: set("tier", "staging"), key: "tier", says: '"staging" is not a known tier (rex, siong, dev, sandbox)' },
  // Addresses the firewall can filter, and that the edge can proxy to.
  { name: "lanAddress IPv6", stack: "rex", change: set("lanAddress", "2001:db8::10"), key: "lanAddress", says: '"2001:db8::10" is IPv6: the firewall writes IPv4 rules only' },
  { name: "lanAddress 0.0.0.0", stack: "siong", change: set("lanAddress", "0.0.0.0"), key: "lanAddress", says: "would publish web-view on every interface and make the edge proxy to itself" },
  { name: "lanAddress loopback behind the edge", stack: "rex", change: set("lanAddress", "127.0.0.1"), key: "lanAddress", says: "is loopback: the edge on the aaPanel host would proxy to itself" },
  { name: "lanAddress not an address", stack: "rex", change: set("lanAddress", "10.0.0"), key: "lanAddress", says: '"10.0.0" is not an IPv4 address' },
  { name: "flaskHost.address IPv6", stack: "rex", change: setIn("flaskHost.address", "2001:db8::10"), key: "flaskHost.address", says: "is IPv6" },
  { name: "flaskHost.address 0.0.0.0", stack: "rex", change: setIn("flaskHost.address", "0.0.0.0"), key: "flaskHost.address", says: "is the unspecified address, not a host" },
  { name: "flaskHost.address out of range", stack: "rex", change: setIn("flaskHost.address", "192.0.2.300"), key: "flaskHost.address", says: '"192.0.2.300" is not an IPv4 address' },
  { name: "aapanelHost.address loopback", stack: "rex", change: setIn("aapanelHost.address", "127.0.0.1"), key: "aapanelHost.address", says: "is loopback: the Flask host's firewall would allow itself instead of the proxy" },
  { name: "aapanelHost.address IPv6", stack: "siong", change: setIn("aapanelHost.address", "2001:db8::5"), key: "aapanelHost.address", says: "is IPv6" },
  { name: "aapanelHost.address a name", stack: "siong", change: setIn("aapanelHost.address", "panel.local"), key: "aapanelHost.address", says: '"panel.local" is not an IPv4 address' },
  { name: "an IPv6 admin network", stack: "rex", change: setIn("firewall.adminSources", ["2001:db8::/32"]), key: "firewall.adminSources[0]", says: "is IPv6: the firewall writes IPv4 rules only" },
  { name: "an admin network with host bits", stack: "rex", change: setIn("firewall.adminSources", ["any", "192.0.2.5/24"]), key: "firewall.adminSources[1]", says: 'ufw would store it as "192.0.2.0/24"' },
  { name: "0.0.0.0/0 for every address", stack: "rex", change: setIn("firewall.adminSources", ["0.0.0.0/0"]), key: "firewall.adminSources[0]", says: 'is every IPv4 address: write "any"' },
  { name: "no admin source", stack: "rex", change: setIn("firewall.adminSources", []), key: "firewall.adminSources", says: "an empty list would lock SSH out" },
  { name: "an admin source that is a word", stack: "rex", change: setIn("firewall.adminSources", ["everyone"]), key: "firewall.adminSources[0]", says: '"everyone" is not an IPv4 address or network' },
  // Ports that share a host.
  { name: "edge.listenPort on the aaPanel host's sshd", stack: "rex", change: setIn("edge.listenPort", 22), key: "edge.listenPort", says: "22 is aapanelHost.sshPort" },
  { name: "aapanelHost.sshPort on the TLS listen port", stack: "siong", change: setIn("aapanelHost.sshPort", 443), key: "edge.listenPort", says: "443 is aapanelHost.sshPort, where sshd listens on the aaPanel host: nginx -t passes, the reload fails to bind" },
  { name: "webPort on the Flask host's sshd", stack: "siong", change: set("webPort", "22"), key: "webPort", says: "22 is flaskHost.sshPort" },
  { name: "webPort on the API port", stack: "rex", change: set("webPort", "3000"), key: "webPort", says: "3000 is the API server's port" },
  { name: "flaskHost.sshPort on the API port", stack: "rex", change: setIn("flaskHost.sshPort", 3000), key: "flaskHost.sshPort", says: "3000 is the API server's port, which the firewall closes" },
  { name: "webPort above range", stack: "rex", change: set("webPort", "70000"), key: "webPort", says: "70000 is outside 1-65535" },
  { name: "webPort not a number", stack: "rex", change: set("webPort", "80a"), key: "webPort", says: 'must be an integer (1-65535), got "80a"' },
  { name: "webPort zero", stack: "dev", change: set("webPort", "0"), key: "webPort", says: "0 is outside 1-65535" },
  { name: "edge.listenPort zero", stack: "rex", change: setIn("edge.listenPort", 0), key: "edge.listenPort", says: "0 is outside 1-65535" },
  // The Docker endpoint goes to the system ssh.
  { name: "dockerHost with an ssh option as user", stack: "rex", change: set("dockerHost", "ssh://-oProxyCommand=touch@192.0.2.10"), key: "dockerHost", says: "ssh user" },
  { name: "dockerHost with an ssh option as host", stack: "rex", change: set("dockerHost", "ssh://root@-oProxyCommand=x"), key: "dockerHost", says: "ssh host" },
  { name: "dockerHost over plain tcp", stack: "rex", change: set("dockerHost", "tcp://192.0.2.10:2375"), key: "dockerHost", says: 'must be "ssh://[user@]host[:port]" or "unix:///path/to/docker.sock"' },
  { name: "dockerHost with a path", stack: "rex", change: set("dockerHost", "ssh://root@192.0.2.10:22/x"), key: "dockerHost", says: 'must be "ssh://[user@]host[:port]"' },
  { name: "dockerHost with spaces", stack: "siong", change: set("dockerHost", "ssh://root@192.0.2.20 -o ProxyCommand=x"), key: "dockerHost", says: "ssh" },
  { name: "dockerHost port out of range", stack: "rex", change: set("dockerHost", "ssh://root@192.0.2.10:99999"), key: "dockerHost", says: "ssh port 99999 is outside 1-65535" },
  // ...and reaches the host whose key is pinned (flaskHost), which the firewall guards.
  { name: "dockerHost moved alone to another host", stack: "rex", change: set("dockerHost", "ssh://root@192.0.2.99:22"), key: "dockerHost", says: 'addresses "192.0.2.99", but flaskHost.address is "192.0.2.10": the Docker transport trusts only flaskHost.hostKey' },
  { name: "dockerHost naming the Flask host by a name", stack: "siong", change: set("dockerHost", "ssh://root@flask.lan:22"), key: "dockerHost", says: 'addresses "flask.lan", but flaskHost.address is "192.0.2.20"' },
  { name: "dockerHost as another user on another host", stack: "siong", change: set("dockerHost", "ssh://deploy@192.0.2.10"), key: "dockerHost", says: 'write "ssh://deploy@192.0.2.20:22" or leave dockerHost out' },
  { name: "dockerHost on another ssh port", stack: "rex", change: set("dockerHost", "ssh://root@192.0.2.10:2222"), key: "dockerHost", says: "reaches ssh port 2222, but flaskHost.sshPort is 22" },
  { name: "dockerHost without flaskHost's ssh port", stack: "rex", change: (values) => (setIn("flaskHost.sshPort", 2222)(values), set("dockerHost", "ssh://root@192.0.2.10")(values)), key: "dockerHost", says: "reaches ssh's default port 22, but flaskHost.sshPort is 2222" },
  { name: "dev's engine over ssh on another host", stack: "dev", change: set("dockerHost", "ssh://root@192.0.2.99"), key: "dockerHost", says: 'but flaskHost.address is "192.0.2.30"' },
  { name: "a local socket outside dev", stack: "rex", change: set("dockerHost", "unix:///var/run/docker.sock"), key: "dockerHost", says: "only dev deploys to a local socket" },
  { name: "a relative socket path", stack: "dev", change: set("dockerHost", "unix://var/run/docker.sock"), key: "dockerHost", says: "unix socket path" },
  { name: "a relative identity file", stack: "rex", change: set("dockerSshIdentityFile", "~/.ssh/cm_deploy"), key: "dockerSshIdentityFile", says: "is not an absolute path" },
  { name: "an identity file with a local socket", stack: "dev", change: set("dockerSshIdentityFile", "/home/op/.ssh/id"), key: "dockerSshIdentityFile", says: "is used only with an ssh:// dockerHost" },
  // Host keys the command provider can use.
  { name: "an ssh-rsa pin", stack: "rex", change: setIn("flaskHost.hostKey", RSA), key: "flaskHost.hostKey", says: "ssh-rsa pins are refused: the command provider then offers only the SHA-1" },
  { name: "a truncated ed25519 key", stack: "rex", change: setIn("flaskHost.hostKey", REX_KEY.slice(0, -4)), key: "flaskHost.hostKey", says: "key data is truncated or damaged" },
  { name: "an ed25519 key one byte short", stack: "rex", change: setIn("flaskHost.hostKey", SHORT_ED25519), key: "flaskHost.hostKey", says: "is not one 32-byte ed25519 key" },
  { name: "an ed25519 key labelled ECDSA", stack: "siong", change: setIn("aapanelHost.hostKey", `ecdsa-sha2-nistp256 ${ED25519_DATA}`), key: "aapanelHost.hostKey", says: 'the key data is a "ssh-ed25519" key but is labelled "ecdsa-sha2-nistp256"' },
  { name: "a key that is not one", stack: "rex", change: setIn("flaskHost.hostKey", "AAAA"), key: "flaskHost.hostKey", says: 'is not "<type> <base64>"' },
  { name: "a key with a comment", stack: "rex", change: setIn("flaskHost.hostKey", `${REX_KEY} root@flask`), key: "flaskHost.hostKey", says: "one space, no comment" },
  { name: "ssh-keyscan's whole line", stack: "rex", change: setIn("flaskHost.hostKey", `192.0.2.10 ${REX_KEY}`), key: "flaskHost.hostKey", says: 'starts with a host name: pin only "<type> <base64>"' },
  { name: "key data that is not base64", stack: "dev", change: setIn("flaskHost.hostKey", "ssh-ed25519 AAAA!!!!"), key: "flaskHost.hostKey", says: "is not valid base64" },
  { name: "an ssh-dss pin", stack: "rex", change: setIn("aapanelHost.hostKey", `ssh-dss ${ED25519_DATA}`), key: "aapanelHost.hostKey", says: '"ssh-dss" is not a host key type a pin works with' },
  // Production images are pinned, the database's too.
  { name: "app images on latest", stack: "rex", change: setIn("images.tag", "latest"), key: "images.tag", says: 'the tag is "latest", which makes deploys on rex unrepeatable' },
  { name: "the database image on latest", stack: "rex", change: setIn("app.databaseImage", "mysql:latest"), key: "app.databaseImage", says: 'is "latest", which makes deploys on rex unrepeatable' },
  { name: "an untagged database image", stack: "siong", change: setIn("app.databaseImage", "mysql"), key: "app.databaseImage", says: 'has no tag, which means "latest"' },
  { name: "the sandbox's database image on latest", stack: "sandbox", change: setIn("app.databaseImage", "local/cm-mysql:latest"), key: "app.databaseImage", says: "unrepeatable" },
  { name: "a database image that is no reference", stack: "rex", change: setIn("app.databaseImage", "MySQL 8"), key: "app.databaseImage", says: "is not an image reference" },
  { name: "a short digest", stack: "rex", change: setIn("images.digest", "sha256:abc"), key: "images.digest", says: 'is not "sha256:<64 lowercase hex digits>"' },
  { name: "an uppercase repository", stack: "rex", change: setIn("images.prefix", "registry.example.com/CM"), key: "images.prefix", says: "is not a registry/namespace prefix" },
  { name: "neither tag nor digest", stack: "siong", change: (values) => delete section(values, "images").tag, key: "images", says: "needs a tag or a digest" },
  { name: "a tag that is no tag", stack: "rex", change: setIn("images.tag", "-1"), key: "images.tag", says: "is not a Docker tag" },
  // Private registry credentials.
  { name: "credentials for another registry", stack: "rex", change: (values, secrets) => (setIn("images.registryAuth", { ...AUTH, address: "other.example.com" })(values), (secrets.registryPassword = "FAKE-REGISTRY")), key: "images.registryAuth.address", says: 'is not the registry images.prefix pulls from ("registry.example.com")' },
  { name: "credentials without the password", stack: "rex", change: setIn("images.registryAuth", AUTH), key: "registryPassword", says: "secret is missing (images.registryAuth is set)" },
  { name: "a registry password without credentials", stack: "siong", change: (_values, secrets) => (secrets.registryPassword = "FAKE-REGISTRY"), key: "registryPassword", says: "is set but images.registryAuth is not" },
  { name: "a registry password in plaintext", stack: "rex", change: (values, secrets) => (setIn("images.registryAuth", AUTH)(values), (secrets.registryPassword = "FAKE-REGISTRY")), plaintext: ["registryPassword"], key: "registryPassword", says: "is stored in plaintext" },
  { name: "a password in the stack file", stack: "rex", change: setIn("images.registryAuth", { ...AUTH, password: "hunter2" }), key: "images.registryAuth.password", says: "must not be in the stack file" },
  { name: "credentials on dev, which pulls nothing", stack: "dev", change: setIn("images.registryAuth", AUTH), key: "images.registryAuth", says: "dev builds its images" },
  // Two tiers on one host, against the sibling stack files committed in the project folder.
  { name: "rex moved onto siong's Flask host with siong's webPort", stack: "rex", change: moveTo("siong", ["webPort"]), key: "webPort", says: "8005 is also Pulumi.siong.yaml's webPort, on the same Flask host 192.0.2.20: one tier's web-view would be published over the other's" },
  { name: "siong moved onto rex's Flask host with rex's webPort", stack: "siong", change: moveTo("rex", ["webPort"]), key: "webPort", says: "8001 is also Pulumi.rex.yaml's webPort, on the same Flask host 192.0.2.10" },
  { name: "rex with siong's domain on the aaPanel host both use", stack: "rex", change: set("domain", "siong.example.com"), key: "domain", says: '"siong.example.com" is also Pulumi.siong.yaml\'s domain, on the same aaPanel host 192.0.2.5: two server blocks for one name' },
  { name: "dev with rex's domain in capitals", stack: "dev", change: set("domain", "REX.example.com"), key: "domain", says: "is also Pulumi.rex.yaml's domain" },
  { name: "rex's web port on siong's edge listen port", stack: "rex", change: (values) => (moveTo("siong", [], "aapanelHost")(values), setIn("aapanelHost.address", "192.0.2.6")(values), set("webPort", "443")(values)), key: "webPort", says: "443 is Pulumi.siong.yaml's edge.listenPort on the same host 192.0.2.5" },
  { name: "rex's edge listen port on siong's web port", stack: "rex", change: (values) => (setIn("aapanelHost.address", "192.0.2.20")(values), setIn("edge.listenPort", 8005)(values)), key: "edge.listenPort", says: "8005 is Pulumi.siong.yaml's webPort on the same host 192.0.2.20" },
  // Values that reach nginx and shell text.
  { name: "a CSP with a quote", stack: "rex", change: setIn("edge.contentSecurityPolicy", `default-src "self"`), key: "edge.contentSecurityPolicy", says: `contains "\\""` },
  { name: "a CSP with a newline", stack: "siong", change: setIn("edge.contentSecurityPolicy", "default-src 'self';\nreturn 200"), key: "edge.contentSecurityPolicy", says: 'contains "\\n"' },
  { name: "a CSP with $", stack: "dev", change: setIn("edge.contentSecurityPolicy", "default-src $host"), key: "edge.contentSecurityPolicy", says: 'contains "$"' },
  { name: "a layout path with ..", stack: "rex", change: setIn("edge.layout.vhostDir", "/www/server/../etc/nginx"), key: "edge.layout.vhostDir", says: 'has a "." or ".." segment' },
  { name: "a layout path with //", stack: "rex", change: setIn("edge.layout.stateDir", "/var//lib/cm-infra"), key: "edge.layout.stateDir", says: 'has an empty segment ("//" or a trailing "/")' },
  { name: "a reload command with a newline", stack: "rex", change: setIn("edge.layout.reloadCommand", "/etc/init.d/nginx reload\nrm -rf /"), key: "edge.layout.reloadCommand", says: "must be plain words separated by single spaces" },
  { name: "a reload command with ;", stack: "siong", change: setIn("edge.layout.reloadCommand", "nginx -s reload; curl x"), key: "edge.layout.reloadCommand", says: "no quotes, '$', ';'" },
  { name: "a reload command with $(...)", stack: "dev", change: setIn("edge.layout.reloadCommand", "$(reboot)"), key: "edge.layout.reloadCommand", says: "must be plain words" },
  { name: "a relative certificate", stack: "rex", change: setIn("edge.tls.certificate", "cert/fullchain.pem"), key: "edge.tls.certificate", says: "is not an absolute path" },
  { name: "backups inside the vhost folder", stack: "rex", change: setIn("edge.layout.stateDir", "/www/server/panel/vhost/nginx/backup"), key: "edge.layout.stateDir", says: "is inside vhostDir" },
  { name: "a source path with a space", stack: "dev", change: setIn("images.sourcePath", "/home/op/my app"), key: "images.sourcePath", says: "may hold only letters, digits" },
  { name: "a domain with a directive", stack: "rex", change: set("domain", "rex.example.com; return 200"), key: "domain", says: "is not a host name" },
  { name: "an operator user with a space", stack: "rex", change: setIn("edge.operatorUser", "rex operator"), key: "edge.operatorUser", says: "may hold only letters, digits" },
  { name: "a reapply generation with a newline", stack: "rex", change: set("reapplyGeneration", "1\nrm -rf /"), key: "reapplyGeneration", says: "may hold only letters, digits" },
  { name: "burst 0, which nginx refuses", stack: "rex", change: setIn("edge.rateLimit.burst", 0), key: "edge.rateLimit.burst", says: "0 is outside 1-100000" },
  // Already covered before, kept.
  { name: "debug on rex", stack: "rex", change: set("debug", "true"), key: "debug", says: "true is forbidden on rex" },
  { name: "the dev vhost with the debugger on", stack: "dev", change: set("debug", "true"), key: "publishThroughEdge", says: "true while debug is true" },
  { name: "containers as root", stack: "rex", change: setIn("app.appUser", "0:0"), key: "app.appUser", says: 'must be a non-root "uid:gid"' },
  { name: "a missing secret", stack: "rex", change: (_values, secrets) => delete secrets.telegramBotToken, key: "telegramBotToken", says: "secret is missing: pulumi config set --secret telegramBotToken --stack rex" },
  { name: "a secret in plaintext", stack: "siong", change: () => undefined, plaintext: ["agentPassword"], key: "agentPassword", says: "is stored in plaintext" },
  { name: "no flaskHost", stack: "rex", change: set("flaskHost", undefined), key: "flaskHost", says: "is required" },
  { name: "images as a string", stack: "rex", change: set("images", "registry.example.com/cm"), key: "images", says: "must be a YAML mapping" },
  { name: "a sandbox state that does not exist", stack: "sandbox", change: set("sandboxState", "sandbox/.state/nope/sandbox.json"), key: "sandboxState", says: "does not exist: start the sandbox with npm run sandbox:up" },
];

function malformedRun(entry: Malformed) {
  const values = committedValues(entry.stack);
  const secrets: Record<string, string> = entry.stack === "sandbox" ? {} : requiredSecrets();
  if (entry.stack === "sandbox" && values.sandboxState !== undefined) values.sandboxState = SANDBOX_FIXTURE;
  entry.change(values, secrets);
  return runWithValues(entry.stack, values, { values: secrets, plaintext: entry.plaintext });
}

describe("malformed stack files are refused before any resource, naming file and key", () => {
  test("the table holds at least 60 of them", () => {
    expect(CASES.length).toBeGreaterThanOrEqual(60);
  });

  test.each(["rex", "siong", "dev", "sandbox"] as const)("the unchanged %s stack file is accepted and deploys", async (stack) => {
    const values = committedValues(stack);
    if (stack === "sandbox") values.sandboxState = SANDBOX_FIXTURE;
    const outcome = await runWithValues(stack, values, { values: stack === "sandbox" ? {} : requiredSecrets() });
    expect(outcome.error).toBeUndefined();
    expect(outcome.resources).toBeGreaterThan(10);
  });

  test.each(CASES.map((entry) => [entry.name, entry] as const))("%s", async (_name, entry) => {
    const { error, resources } = await malformedRun(entry);
    expect(resources).toBe(0);
    expect(pulumi.RunError.isInstance(error), String(error)).toBe(true);
    const lines = (error as Error).message.split("\n").slice(1).map((line) => line.replace(/^  - /, ""));
    const prefix = `Pulumi.${entry.stack}.yaml: cm-infra:${entry.key}: `;
    expect(lines.some((line) => line.startsWith(prefix) && line.includes(entry.says)), lines.join("\n")).toBe(true);
    for (const line of lines) expect(line).toMatch(new RegExp(`^Pulumi\\.${entry.stack}\\.yaml: cm-infra:\\S+: \\S`));
    for (const [key, value] of Object.entries(requiredSecrets())) expect((error as Error).message, key).not.toContain(value);
  });
});
