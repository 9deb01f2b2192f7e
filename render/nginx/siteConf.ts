import { renderHttpLevel } from "./httpLevel";
import { renderServerBlock } from "./serverBlock";
import type { EdgeSiteSpec } from "./types";

/**
 * The tier's one nginx file: its http-level definitions, then the `server {}` that uses
 * them. One file, so that any change lands with a single rename and the live folder only
 * ever holds the old site or the new one; aaPanel includes the vhost folder inside
 * `http {}`, where both kinds of directive are allowed.
 */
export function renderSiteConf(spec: EdgeSiteSpec): string {
  return [
    `# Managed by cm-infra (tier ${spec.tier}); edits are overwritten on the next deploy.`,
    "# Loaded at http level through aaPanel's vhost include. Deliberately not an aaPanel site:",
    "# the panel neither lists nor rewrites this file.",
    renderHttpLevel(spec),
    renderServerBlock(spec),
  ].join("\n");
}
