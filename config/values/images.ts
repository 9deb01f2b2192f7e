import { hostProblems } from "./names";
import { portProblems } from "./numbers";
import { show } from "./text";

// Docker's reference grammar (distribution/reference): lowercase path components,
// an optional registry host[:port] in front, tag and digest after.
const COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
const REPOSITORY = new RegExp(`^${COMPONENT}(?:/${COMPONENT})*$`);
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;

/**
 * The first path component names a registry only when it contains "." or ":" or is
 * "localhost"; otherwise the image comes from Docker Hub.
 */
export function registryOf(reference: string): string | undefined {
  const slash = reference.indexOf("/");
  if (slash < 0) return undefined;
  const first = reference.slice(0, slash);
  return first.includes(".") || first.includes(":") || first === "localhost" ? first : undefined;
}

/** A registry's host[:port], as it starts the image references that live there. */
export function registryAddressProblems(text: string): string[] {
  const [host = "", port, ...rest] = text.split(":");
  const wrong = [`${show(text)} is not a registry host[:port] (e.g. "registry.example.com" or "registry.example.com:5000", no scheme or path)`];
  if (rest.length > 0 || hostProblems(host).length > 0) return wrong;
  if (port !== undefined && (!/^\d+$/.test(port) || portProblems(Number(port)).length > 0)) return wrong;
  return [];
}

/** Where app images are pulled from: "[registry/]namespace", pulled as <prefix>/cm-api:<tag>. */
export function imagePrefixProblems(text: string): string[] {
  const registry = registryOf(text);
  const repository = registry === undefined ? text : text.slice(registry.length + 1);
  const ok = (registry === undefined || registryAddressProblems(registry).length === 0) && REPOSITORY.test(repository);
  return ok ? [] : [`${show(text)} is not a registry/namespace prefix (e.g. "registry.example.com/cm": lowercase letters, digits, '.', '_', '-')`];
}

export function imageTagProblems(text: string): string[] {
  return TAG.test(text) ? [] : [`${show(text)} is not a Docker tag (letters, digits, '_', '.', '-', up to 128, not starting with '.' or '-')`];
}

export function imageDigestProblems(text: string): string[] {
  return DIGEST.test(text) ? [] : [`${show(text)} is not "sha256:<64 lowercase hex digits>"`];
}

export interface ImageReference {
  readonly repository: string;
  readonly tag?: string;
  readonly digest?: string;
}

/** "[registry/]repository[:tag][@sha256:...]" taken apart, or the problem with it. */
export function parseImageReference(text: string): { readonly reference?: ImageReference; readonly problems: string[] } {
  const [named = "", digest, ...extra] = text.split("@");
  const lastSlash = named.lastIndexOf("/");
  const colon = named.indexOf(":", lastSlash + 1);
  const repository = colon < 0 ? named : named.slice(0, colon);
  const tag = colon < 0 ? undefined : named.slice(colon + 1);
  const wrong = [`${show(text)} is not an image reference ("[registry/]name[:tag][@sha256:<digest>]", e.g. "mysql:8.0")`];
  if (extra.length > 0 || imagePrefixProblems(repository).length > 0) return { problems: wrong };
  if (tag !== undefined && imageTagProblems(tag).length > 0) return { problems: wrong };
  if (digest !== undefined && imageDigestProblems(digest).length > 0) return { problems: wrong };
  return { reference: { repository, tag, digest }, problems: [] };
}

/**
 * Production deploys must be repeatable: a digest, or a tag other than "latest" (an
 * untagged reference means "latest"). subject names the value in the message.
 */
export function pinnedImageProblems(subject: string, tag: string | undefined, digest: string | undefined, tier: string): string[] {
  const fix = "pin a version tag or a digest (@sha256:<digest>)";
  if (digest !== undefined) return [];
  if (tag === undefined) return [`${subject} has no tag, which means "latest", and deploys on ${tier} must be repeatable: ${fix}`];
  return tag === "latest" ? [`${subject} is "latest", which makes deploys on ${tier} unrepeatable: ${fix}`] : [];
}
