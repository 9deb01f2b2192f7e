import { floatingReason } from "./imageRef";
import { TYPES, asArray, asRecord, asString, type PolicyResource } from "./resource";
import { tierOf } from "./tier";

/**
 * The operators' invariants as plain functions: each takes one resource and returns its
 * violations (empty when it complies), each message naming the resource. Each reads only
 * the inputs it judges: at preview time an input that is not known yet makes the policy
 * library report "can't run during preview" for that policy alone.
 */
export type Check = (resource: PolicyResource) => string[];

/** Docker reads every host interface when `ip` is empty or one of these. */
const EVERY_INTERFACE = new Set(["", "0.0.0.0", "::", "[::]"]);
/** Values Go's strconv.ParseBool reads as true; Docker parses security options with it. */
const GO_TRUE = new Set(["1", "t", "T", "true", "TRUE", "True"]);

function hasServiceName(resource: PolicyResource, service: string): boolean {
  const matches = (name: string | undefined): boolean => name !== undefined && (name === service || name.endsWith(`-${service}`));
  if (matches(resource.name) || matches(asString(resource.props.name))) return true;
  return asArray(resource.props.networksAdvanced).some((network) => asArray(asRecord(network)?.aliases).includes(service));
}

function hostPorts(resource: PolicyResource): string[] {
  return asArray(resource.props.ports).map((port) => {
    const entry = asRecord(port) ?? {};
    const ip = asString(entry.ip) ?? "";
    return `${ip === "" ? "*" : ip}:${String(entry.external ?? "random")}->${String(entry.internal)}`;
  });
}

/** The API has no auth of its own: in production only web-view reaches it, over the internal network. */
export const apiServerPublishesNoHostPort: Check = (resource) => {
  if (resource.type !== TYPES.container || !hasServiceName(resource, "api-server")) return [];
  const tier = tierOf(resource);
  if (!tier.production) return [];
  const problems: string[] = [];
  const ports = hostPorts(resource);
  if (ports.length > 0) problems.push(`${resource.name} publishes host port(s) ${ports.join(", ")} on a production tier (${tier.source}); the API must stay on the internal network`);
  if (asString(resource.props.networkMode) === "host") problems.push(`${resource.name} uses the host's network on a production tier (${tier.source}): the API would listen on every host interface`);
  return problems;
};

export const containerHasNoNewPrivileges: Check = (resource) => {
  if (resource.type !== TYPES.container) return [];
  const enabled = asArray(resource.props.securityOpts).some((option) => {
    const match = /^no-new-privileges(?:[:=](.*))?$/.exec(asString(option) ?? "");
    return match !== null && (match[1] === undefined || GO_TRUE.has(match[1]));
  });
  return enabled ? [] : [`${resource.name} does not set securityOpts no-new-privileges:true (a setuid binary could gain privileges)`];
};

export const containerDropsAllCapabilities: Check = (resource) => {
  if (resource.type !== TYPES.container) return [];
  const problems: string[] = [];
  const capabilities = asRecord(resource.props.capabilities);
  const drops = asArray(capabilities?.drops).map((cap) => (asString(cap) ?? "").toUpperCase());
  if (!drops.includes("ALL")) problems.push(`${resource.name} does not drop every capability (capabilities.drops must include "ALL")`);
  const adds = asArray(capabilities?.adds);
  if (adds.length > 0) problems.push(`${resource.name} adds capabilities back: ${adds.map(String).join(", ")}`);
  if (resource.props.privileged === true) problems.push(`${resource.name} is privileged, which grants every capability and device`);
  return problems;
};

/** Unset runs as the image's USER, which the program cannot see: it counts as root. */
export const containerRunsAsNonRoot: Check = (resource) => {
  if (resource.type !== TYPES.container) return [];
  const user = asString(resource.props.user) ?? "";
  const name = user.split(":")[0] ?? "";
  if (name === "") return [`${resource.name} sets no user, so it runs as the image's default (root for most images); set a non-root uid:gid`];
  if (name === "root" || /^0+$/.test(name)) return [`${resource.name} runs as root (user "${user}"); set a non-root uid:gid`];
  return [];
};

function imageReference(resource: PolicyResource): string | undefined {
  switch (resource.type) {
    case TYPES.container:
      return asString(resource.props.image);
    case TYPES.remoteImage:
      return asString(resource.props.name);
    case TYPES.builtImage:
      return asString(resource.props.imageName);
    default:
      return undefined;
  }
}

/** A production deploy must be repeatable: the same inputs run the same image. */
export const productionImageIsPinned: Check = (resource) => {
  const reference = imageReference(resource);
  if (reference === undefined) return [];
  const tier = tierOf(resource);
  if (!tier.production) return [];
  const reason = floatingReason(reference);
  return reason === undefined ? [] : [`${resource.name}: ${reason} on a production tier (${tier.source}); pin a version tag or a digest`];
};

const HOST_KEY = /^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)|sk-ssh-ed25519@openssh\.com|sk-ecdsa-sha2-nistp256@openssh\.com) [A-Za-z0-9+/]+={0,3}(\s.*)?$/;

/** @pulumi/command checks no host key unless one is pinned: anyone on the path could answer. */
export const remoteCommandPinsHostKey: Check = (resource) => {
  if (resource.type !== TYPES.remoteCommand && resource.type !== TYPES.copyToRemote) return [];
  const problems: string[] = [];
  let hop = asRecord(resource.props.connection);
  let label = "connection";
  if (hop === undefined) return [`${resource.name} has no connection to pin a host key on`];
  while (hop !== undefined) {
    const hostKey = asString(hop.hostKey)?.trim() ?? "";
    const host = asString(hop.host) ?? "?";
    if (!HOST_KEY.test(hostKey)) {
      problems.push(
        hostKey === ""
          ? `${resource.name}: ${label} to ${host} pins no hostKey, so the SSH host key is not checked`
          : `${resource.name}: ${label} to ${host} has a hostKey that is not an OpenSSH public key ("<type> <base64>")`,
      );
    }
    hop = asRecord(hop.proxy);
    label = `${label}.proxy`;
  }
  return problems;
};

/**
 * web-view is meant for the proxy (and localhost on dev) only; a port on every interface
 * is open to the whole LAN, and Docker's published ports bypass ufw. Held for every
 * container, web-view included: none of them has a reason to listen everywhere.
 */
export const noPortOnEveryInterface: Check = (resource) => {
  if (resource.type !== TYPES.container) return [];
  const problems: string[] = [];
  for (const port of asArray(resource.props.ports)) {
    const entry = asRecord(port) ?? {};
    const ip = asString(entry.ip) ?? "";
    if (EVERY_INTERFACE.has(ip)) {
      problems.push(`${resource.name} publishes port ${String(entry.external ?? "random")} on ${ip === "" ? "no ip (Docker binds 0.0.0.0)" : ip}, i.e. every host interface; bind it to the LAN address`);
    }
  }
  if (asString(resource.props.networkMode) === "host") problems.push(`${resource.name} uses the host's network: every port it listens on is open on every host interface`);
  return problems;
};
