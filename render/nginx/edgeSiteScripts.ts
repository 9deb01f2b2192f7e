import type { NginxLayout } from "../../config/types";
import { asRemoteCommand, type RemoteScripts } from "../remoteScripts";
import { EDGE_APPLY, EDGE_COMMON, EDGE_DELETE } from "./edgeSiteShell";
import { encodeFileFrames, FRAME_HEADER } from "./fileFrames";
import { renderHttpLevel } from "./httpLevel";
import { edgePaths } from "./paths";
import { renderServerBlock } from "./serverBlock";
import { bashAssignments, INSTALL_FILE, STRICT_MODE, TAKE_LOCK } from "./shellCommon";
import type { EdgeSiteSpec, ManagedFile } from "./types";

/** The two nginx files of one tier, in install order (zone before the server that uses it). */
export function edgeSiteFiles(spec: EdgeSiteSpec, layout: NginxLayout): ManagedFile[] {
  const paths = edgePaths(layout, spec.tier);
  return [
    { path: paths.httpLevelConf, content: renderHttpLevel(spec) },
    { path: paths.serverConf, content: renderServerBlock(spec) },
  ];
}

function edgeScript(spec: EdgeSiteSpec, layout: NginxLayout, body: string, withFrames: boolean): string {
  const paths = edgePaths(layout, spec.tier);
  const variables = bashAssignments({
    tier: spec.tier,
    nginx_binary: layout.nginxBinary,
    nginx_conf: layout.nginxConf,
    reload_command: layout.reloadCommand,
    lock_file: paths.lockFile,
    tier_state: paths.tierStateDir,
    manifest: paths.manifest,
    previous_dir: paths.previousDir,
    wanted_paths: [paths.httpLevelConf, paths.serverConf],
    ...(withFrames ? { frame_header: FRAME_HEADER } : {}),
  });
  return [
    `# cm-infra edge site for tier ${spec.tier}: safe install of nginx files (lock, test, reload or restore).`,
    ...STRICT_MODE,
    ...variables,
    TAKE_LOCK,
    INSTALL_FILE,
    EDGE_COMMON,
    body,
  ].join("\n");
}

/**
 * Remote commands for the tier's two nginx files. create/update read the files from stdin
 * (framed, no secrets) and change nothing when they are already current; delete runs with
 * the old inputs and removes exactly the files this tier installed.
 */
export function edgeSiteScripts(spec: EdgeSiteSpec, layout: NginxLayout): RemoteScripts {
  const apply = asRemoteCommand(edgeScript(spec, layout, EDGE_APPLY, true));
  return {
    create: apply,
    update: apply,
    delete: asRemoteCommand(edgeScript(spec, layout, EDGE_DELETE, false)),
    stdin: encodeFileFrames(edgeSiteFiles(spec, layout)),
  };
}
