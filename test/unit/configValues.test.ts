import { describe, expect, test } from "vitest";
import { adminSourceProblems, proxySourceProblems, publishAddressProblems } from "../../config/values/addresses";
import { type DockerEndpointParts, dockerSshTargetProblems, parseDockerEndpoint } from "../../config/values/docker";
import { headerValueProblems } from "../../config/values/headers";
import { hostKeyProblems } from "../../config/values/hostKeys";
import { parseImageReference, registryOf } from "../../config/values/images";
import { domainProblems, tokenProblems } from "../../config/values/names";
import { absolutePathProblems } from "../../config/values/paths";
import { commandLineProblems } from "../../config/values/shell";
import { publicHostKey } from "./support/sshKeys";

// The value rules config validation and the renderers share (config/values). The stack
// file tests show them with keys attached; here, the decisions each rule makes alone.

describe("addresses: what the IPv4-only firewall can filter", () => {
  test.each([
    ["any", []],
    ["192.0.2.0/24", []],
    ["192.0.2.7", []],
    ["10.0.0.0/8", []],
    ["192.0.2.7/32", ['"192.0.2.7/32" is one address: write "192.0.2.7" without /32']],
    ["192.0.2.7/24", ['"192.0.2.7/24" has host bits set: ufw would store it as "192.0.2.0/24"; write that']],
    ["10.1.2.3/8", ['"10.1.2.3/8" has host bits set: ufw would store it as "10.0.0.0/8"; write that']],
    ["0.0.0.0/0", ['"0.0.0.0/0" is every IPv4 address: write "any"']],
    ["0.0.0.0", ['"0.0.0.0" is the unspecified address, not a source: write "any" for every address']],
    ["2001:db8::/32", ['"2001:db8::/32" is IPv6: the firewall writes IPv4 rules only; use IPv4 addresses and networks']],
    ["192.0.2.0/24/1", ['"192.0.2.0/24/1" is not an IPv4 address or network (a.b.c.d or a.b.c.0/24)']],
  ] as const)("admin source %j", (source, problems) => {
    expect(adminSourceProblems(source)).toEqual(problems);
  });

  test("the proxy may not be loopback or unspecified; the published address only matters behind the edge", () => {
    expect(proxySourceProblems("192.0.2.5")).toEqual([]);
    expect(proxySourceProblems("127.0.0.1")[0]).toMatch(/is loopback: the Flask host's firewall would allow itself/);
    expect(proxySourceProblems("0.0.0.0")[0]).toMatch(/unspecified/);
    expect(publishAddressProblems("127.0.0.1", false)).toEqual([]);
    expect(publishAddressProblems("127.0.0.1", true)[0]).toMatch(/proxy to itself/);
    expect(publishAddressProblems("0.0.0.0", false)[0]).toMatch(/every interface/);
    expect(publishAddressProblems("::", false)[0]).toMatch(/is IPv6/);
  });
});

describe("host keys the command provider can pin", () => {
  test.each(["ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521"] as const)("a real %s key is accepted", (type) => {
    expect(hostKeyProblems(publicHostKey(type), "192.0.2.10")).toEqual([]);
  });

  test("ssh-rsa is refused with the reason and the command that reads an ed25519 key", () => {
    expect(hostKeyProblems(publicHostKey("ssh-rsa"), "192.0.2.10")).toEqual([
      'ssh-rsa pins are refused: the command provider then offers only the SHA-1 "ssh-rsa" signature, which OpenSSH >= 8.8 refuses; pin the host\'s ed25519 key instead (read it with: ssh-keyscan -t ed25519 192.0.2.10)',
    ]);
  });

  test("an ECDSA key of another curve than its label, or cut short, is refused", () => {
    const [, p384 = ""] = publicHostKey("ecdsa-sha2-nistp384").split(" ");
    expect(hostKeyProblems(`ecdsa-sha2-nistp256 ${p384}`)[0]).toMatch(/is a "ecdsa-sha2-nistp384" key but is labelled "ecdsa-sha2-nistp256"/);
    const [, p256 = ""] = publicHostKey("ecdsa-sha2-nistp256").split(" ");
    const short = Buffer.from(p256, "base64");
    const cut = Buffer.concat([short.subarray(0, short.length - 65 - 4), Buffer.from([0, 0, 0, 33]), Buffer.alloc(33, 2)]).toString("base64");
    expect(hostKeyProblems(`ecdsa-sha2-nistp256 ${cut}`)[0]).toMatch(/is not a nistp256 ECDSA key/);
  });

  test("base64 that does not round-trip (stray padding, missing characters) is refused", () => {
    const [, data = ""] = publicHostKey("ssh-ed25519").split(" ");
    expect(hostKeyProblems(`ssh-ed25519 ${data}=`)[0]).toMatch(/not valid base64/);
    expect(hostKeyProblems(`ssh-ed25519 ${data.slice(1)}`)[0]).toMatch(/not valid base64/);
  });
});

describe("docker endpoints: strict ssh:// or unix://", () => {
  test("the accepted forms, taken apart", () => {
    expect(parseDockerEndpoint("ssh://root@192.0.2.10:2222").parts).toEqual({ scheme: "ssh", user: "root", host: "192.0.2.10", port: 2222 });
    expect(parseDockerEndpoint("ssh://flask.lan").parts).toEqual({ scheme: "ssh", user: undefined, host: "flask.lan", port: undefined });
    expect(parseDockerEndpoint("unix:///run/docker.sock").parts).toEqual({ scheme: "unix", path: "/run/docker.sock" });
  });

  test.each([
    "ssh://-oProxyCommand=sh@host",
    "ssh://root@-oProxyCommand=sh",
    "ssh://root@host:22?x=1",
    "ssh://root@host#frag",
    "ssh://root@[2001:db8::1]:22",
    "ssh://root:pw@host",
    "ssh://root@host:0",
    "ssh://",
    "http://host",
    "unix://run/docker.sock",
    "unix:///run/../docker.sock",
  ])("refused: %s", (endpoint) => {
    expect(parseDockerEndpoint(endpoint).problems).not.toEqual([]);
    expect(parseDockerEndpoint(endpoint).parts).toBeUndefined();
  });
});

describe("docker endpoints: ssh:// reaches the host whose key is pinned", () => {
  const flask = { address: "192.0.2.10", sshPort: 22 };
  const target = (endpoint: string, pinned = flask) => {
    const parts = parseDockerEndpoint(endpoint).parts as Extract<DockerEndpointParts, { scheme: "ssh" }>;
    return dockerSshTargetProblems(endpoint, parts, pinned);
  };

  test.each(["ssh://root@192.0.2.10:22", "ssh://root@192.0.2.10", "ssh://192.0.2.10", "ssh://deploy@192.0.2.10:22"])("accepted: %s (any user: the pin is per host)", (endpoint) => {
    expect(target(endpoint)).toEqual([]);
  });

  test("another host, or a name for the same one, is refused with the endpoint that would be right", () => {
    expect(target("ssh://deploy@192.0.2.99:22")).toEqual([
      '"ssh://deploy@192.0.2.99:22" addresses "192.0.2.99", but flaskHost.address is "192.0.2.10": the Docker transport trusts only flaskHost.hostKey, pinned for that address, and the firewall guards only that host, so ssh would refuse the key at deploy (or, with a cloned key, the containers would run on an unguarded host); write "ssh://deploy@192.0.2.10:22" or leave dockerHost out; to move the tier, change flaskHost (address, hostKey) instead',
    ]);
    // ssh looks the pin up under the name it was given, and the pin is under the address.
    expect(target("ssh://root@flask.lan")[0]).toMatch(/^"ssh:\/\/root@flask.lan" addresses "flask.lan", but flaskHost.address is "192.0.2.10"/);
  });

  test("another port is refused, and a missing port is ssh's 22", () => {
    expect(target("ssh://root@192.0.2.10:2222")[0]).toMatch(/reaches ssh port 2222, but flaskHost.sshPort is 22: .*write "ssh:\/\/root@192.0.2.10:22"/);
    expect(target("ssh://root@192.0.2.10", { address: "192.0.2.10", sshPort: 2222 })[0]).toMatch(/reaches ssh's default port 22, but flaskHost.sshPort is 2222: .*write "ssh:\/\/root@192.0.2.10:2222"/);
    expect(target("ssh://root@192.0.2.10:2222", { address: "192.0.2.10", sshPort: 2222 })).toEqual([]);
  });
});

describe("images", () => {
  test("Docker's rule for which part names a registry", () => {
    expect(registryOf("mysql:8.0")).toBeUndefined();
    expect(registryOf("library/mysql")).toBeUndefined();
    expect(registryOf("localhost/cm/x")).toBe("localhost");
    expect(registryOf("registry.example.com:5000/cm")).toBe("registry.example.com:5000");
  });

  test("references are taken apart into repository, tag and digest", () => {
    const digest = `sha256:${"c".repeat(64)}`;
    expect(parseImageReference("registry.example.com:5000/db/mysql:8.0").reference).toEqual({ repository: "registry.example.com:5000/db/mysql", tag: "8.0", digest: undefined });
    expect(parseImageReference(`mysql@${digest}`).reference).toEqual({ repository: "mysql", tag: undefined, digest });
    expect(parseImageReference("mysql:8.0:1").problems).not.toEqual([]);
    expect(parseImageReference("Mysql:8.0").problems).not.toEqual([]);
  });
});

describe("text that reaches nginx and shells", () => {
  test.each([
    ["/www/server/panel/vhost/nginx", true],
    ["/opt/.hidden/-x/a..b", true],
    ["/", false],
    ["/a/", false],
    ["/a//b", false],
    ["/a/./b", false],
    ["/a/../b", false],
    ["a/b", false],
    ["/a b", false],
    ["/a$b", false],
  ])("path %j accepted: %s", (path, ok) => {
    expect(absolutePathProblems(path).length === 0).toBe(ok);
  });

  test.each([
    ["/etc/init.d/nginx reload", true],
    ["systemctl reload nginx", true],
    ["/usr/sbin/nginx -s reload -c /etc/nginx/nginx.conf", true],
    ["-s reload", false],
    ["nginx  -s reload", false],
    ["nginx -s reload\n", false],
    ["nginx -s reload; reboot", false],
    ["nginx -s reload && reboot", false],
    ["nginx -s `reboot`", false],
    ["nginx -g 'daemon off;'", false],
    ["nginx > /dev/null", false],
  ])("reload command %j accepted: %s", (command, ok) => {
    expect(commandLineProblems(command).length === 0).toBe(ok);
  });

  test("a header value names the characters it cannot carry", () => {
    expect(headerValueProblems("default-src 'self'; img-src data:")).toEqual([]);
    expect(headerValueProblems('a"b$c\\d')[0]).toContain('contains "\\"", "$", "\\\\"');
    expect(headerValueProblems("caf\u00e9")[0]).toContain('"é"');
  });

  test("names: domains need two labels and a letter TLD; tokens never start like an option", () => {
    expect(domainProblems("rex.example.com")).toEqual([]);
    expect(domainProblems("localhost")).not.toEqual([]);
    expect(domainProblems("192.0.2.300")).not.toEqual([]);
    expect(tokenProblems("-rf")).not.toEqual([]);
    expect(tokenProblems("2026.11-rc_1")).toEqual([]);
  });
});
