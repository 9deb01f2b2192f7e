import type { EdgeSiteSpec } from "./types";
import { assertNonNegativeInteger, assertQuotableValue } from "./validate";

export interface ResponseHeader {
  readonly name: string;
  readonly value: string;
}

/** Headers the edge adds to every response, in a fixed order for stable diffs. */
export function securityHeaders(spec: Pick<EdgeSiteSpec, "contentSecurityPolicy" | "hstsMaxAgeSeconds" | "tls">): ResponseHeader[] {
  const headers: ResponseHeader[] = [
    { name: "X-Frame-Options", value: "DENY" },
    { name: "X-Content-Type-Options", value: "nosniff" },
    // Restricted tool: its URLs are nobody else's business.
    { name: "Referrer-Policy", value: "same-origin" },
  ];
  if (spec.contentSecurityPolicy !== false) {
    assertQuotableValue("contentSecurityPolicy", spec.contentSecurityPolicy);
    headers.push({ name: "Content-Security-Policy", value: spec.contentSecurityPolicy });
  }
  if (spec.tls !== null) {
    assertNonNegativeInteger("hstsMaxAgeSeconds", spec.hstsMaxAgeSeconds);
    headers.push({ name: "Strict-Transport-Security", value: `max-age=${spec.hstsMaxAgeSeconds}` });
  }
  return headers;
}

/**
 * `always` also stamps 401/429/5xx answers. Only the server level may carry add_header:
 * one add_header inside a location would silently drop all of these there.
 */
export function renderAddHeaders(headers: readonly ResponseHeader[]): string[] {
  return headers.map((header) => `add_header ${header.name} "${header.value}" always;`);
}

/** The app's own copies would otherwise be sent next to ours as duplicates. */
export function renderHideUpstreamHeaders(headers: readonly ResponseHeader[]): string[] {
  return headers.map((header) => `proxy_hide_header ${header.name};`);
}
