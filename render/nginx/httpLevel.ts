import type { EdgeSiteSpec } from "./types";
import { rateLimitZoneName } from "./paths";
import { assertPositiveInteger } from "./validate";

/** The tier's http-level directives; nginx only accepts limit_req_zone inside `http {}`. */
export function renderHttpLevel(spec: Pick<EdgeSiteSpec, "tier" | "rateLimit">): string {
  const { ratePerSecond, zoneSizeMb } = spec.rateLimit;
  assertPositiveInteger("rateLimit.ratePerSecond", ratePerSecond);
  assertPositiveInteger("rateLimit.zoneSizeMb", zoneSizeMb);
  return [
    `# Managed by cm-infra (tier ${spec.tier}); edits are overwritten on the next deploy.`,
    "# Loaded at http level through aaPanel's vhost include.",
    `limit_req_zone $binary_remote_addr zone=${rateLimitZoneName(spec.tier)}:${zoneSizeMb}m rate=${ratePerSecond}r/s;`,
    "",
  ].join("\n");
}
