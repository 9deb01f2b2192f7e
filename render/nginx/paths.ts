import type { NginxLayout, TierName } from "../../config/types";
import type { EdgePaths } from "./types";
import { isSameOrInside } from "../../config/values/paths";
import { assertAbsolutePath, assertCommandLine } from "./validate";

const TIER_TOKEN = /^[a-z][a-z0-9]*$/;

/** Tier names end up in file names and nginx zone names; keep them to one plain token. */
export function assertTier(tier: TierName): void {
  if (!TIER_TOKEN.test(tier)) {
    throw new Error(`tier must match ${TIER_TOKEN}, got ${JSON.stringify(tier)}`);
  }
}

export function assertLayout(layout: NginxLayout): void {
  assertAbsolutePath("layout.vhostDir", layout.vhostDir);
  assertAbsolutePath("layout.passDir", layout.passDir);
  assertAbsolutePath("layout.stateDir", layout.stateDir);
  assertAbsolutePath("layout.nginxBinary", layout.nginxBinary);
  assertAbsolutePath("layout.nginxConf", layout.nginxConf);
  assertCommandLine("layout.reloadCommand", layout.reloadCommand);
  // nginx loads every *.conf in vhostDir at http level; state there would be parsed as config.
  if (isSameOrInside(layout.stateDir, layout.vhostDir)) {
    throw new Error(`layout.stateDir (${layout.stateDir}) must not be inside layout.vhostDir (${layout.vhostDir})`);
  }
}

/** Zone names are global across the http block, so each tier gets its own. */
export function rateLimitZoneName(tier: TierName): string {
  assertTier(tier);
  return `cm_infra_${tier}_req`;
}

export function edgePaths(layout: NginxLayout, tier: TierName): EdgePaths {
  assertTier(tier);
  assertLayout(layout);
  const site = `cm-infra-${tier}`;
  const htpasswdDir = `${layout.passDir}/${site}`;
  const tierStateDir = `${layout.stateDir}/edge/${site}`;
  return {
    siteConf: `${layout.vhostDir}/${site}.conf`,
    legacyHttpLevelConf: `${layout.vhostDir}/0.${site}.conf`,
    htpasswdDir,
    htpasswdFile: `${htpasswdDir}/${tier}.htpasswd`,
    lockFile: `${layout.stateDir}/nginx.lock`,
    tierStateDir,
    manifest: `${tierStateDir}/manifest`,
    previousDir: `${tierStateDir}/previous`,
  };
}
