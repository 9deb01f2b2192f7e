import type { EdgeSiteSpec } from "./types";
import { rateLimitZoneName } from "./paths";
import { assertPositiveInteger } from "./validate";

/** The tier's http-level directives; nginx only accepts limit_req_zone inside `http {}`. */
export function renderHttpLevel(spec: Pick<EdgeSiteSpec, "tier" | "rateLimit">): string {
  const { ratePerSecond, zoneSizeMb } = spec.rateLimit;
  assertPositiveInteger("rateLimit.ratePerSecond", ratePerSecond);
  assertPositiveInteger("rateLimit.zoneSizeMb", zoneSizeMb);
  return `limit_req_zone $binary_remote_addr zone=${rateLimitZoneName(spec.tier)}:${zoneSizeMb}m rate=${ratePerSecond}r/s;\n`;
}
