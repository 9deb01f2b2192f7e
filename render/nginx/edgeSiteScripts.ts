import { bashScript } from "../bashScript";
import { asRemoteCommand, type RemoteScripts } from "../remoteScripts";
import { NGINX_SCRIPTS } from "../scriptFamilies";
import { EDGE_APPLY, EDGE_COMMON, EDGE_DELETE, EDGE_STAGING, EDGE_STEPS, WRITE_BESIDE } from "./scriptParts";
import { encodeFileFrames, FRAME_HEADER } from "./fileFrames";
import type { EdgeSite } from "./types";

function edgeScript(site: EdgeSite, body: string, withFrames: boolean): string {
  const { layout, paths } = site;
  return bashScript({
    family: NGINX_SCRIPTS,
    title: `cm-infra edge site for tier ${site.tier}: safe install of nginx files (lock, test staged, rename into place, reload).`,
    label: `cm-infra edge ${site.tier}`,
    lockFile: paths.lockFile,
    values: {
      TIER: site.tier,
      NGINX_BINARY: layout.nginxBinary,
      NGINX_CONF: layout.nginxConf,
      RELOAD_COMMAND: layout.reloadCommand,
      TIER_STATE: paths.tierStateDir,
      MANIFEST: paths.manifest,
      PREVIOUS_DIR: paths.previousDir,
      WANTED_PATHS: site.files.map((file) => file.path),
      LEGACY_CONF: paths.legacyHttpLevelConf,
      // Only apply merges the legacy zone file into the site file; delete removes both alike.
      ...(withFrames ? { FRAME_HEADER, SITE_CONF: paths.siteConf } : {}),
    },
    parts: [WRITE_BESIDE, EDGE_COMMON, EDGE_STAGING, EDGE_STEPS, body],
  });
}

/**
 * Remote commands for the tier's nginx file. create/update read it from stdin (framed, no
 * secrets) and change nothing when it is already current; they also merge the separate
 * zone file of earlier versions into it. delete runs with the old inputs and removes
 * exactly the files this tier installed, that zone file included. Both test every state
 * the live folder will pass through with nginx -t on a staged copy before the first
 * rename, so a run killed at any point leaves a tested configuration; the next run clears
 * what it left and finishes the change (including a reload it never got to).
 */
export function edgeSiteScripts(site: EdgeSite): RemoteScripts {
  const apply = asRemoteCommand(edgeScript(site, EDGE_APPLY, true));
  return {
    create: apply,
    update: apply,
    delete: asRemoteCommand(edgeScript(site, EDGE_DELETE, false)),
    stdin: encodeFileFrames(site.files),
  };
}
