/** How an image reference pins what runs. */
export type ImagePin =
  | { readonly kind: "id" }
  | { readonly kind: "digest" }
  | { readonly kind: "tag"; readonly tag: string }
  | { readonly kind: "untagged" };

/**
 * Reads a Docker image reference (`[registry[:port]/]path[:tag][@digest]`, or an image ID
 * `sha256:<64 hex>` as the program passes RemoteImage.imageId to containers). A digest pins
 * the content whatever the tag says; no tag means Docker's implicit `latest`.
 */
export function imagePin(reference: string): ImagePin {
  if (/^(sha256:)?[0-9a-f]{64}$/.test(reference)) return { kind: "id" };
  if (reference.includes("@")) return { kind: "digest" };
  const lastSegment = reference.slice(reference.lastIndexOf("/") + 1);
  const colon = lastSegment.indexOf(":");
  return colon < 0 ? { kind: "untagged" } : { kind: "tag", tag: lastSegment.slice(colon + 1) };
}

/** Why a reference does not pin a version, or undefined when it does. */
export function floatingReason(reference: string): string | undefined {
  const pin = imagePin(reference);
  if (pin.kind === "untagged") return `"${reference}" has no tag (Docker pulls "latest")`;
  if (pin.kind === "tag" && pin.tag === "latest") return `"${reference}" uses the "latest" tag`;
  return undefined;
}
