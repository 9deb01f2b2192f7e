import type { NginxLayout, TierName } from "../../config/types";
import { asRemoteCommand, type RemoteScripts } from "../remoteScripts";
import { HTPASSWD_APPLY, HTPASSWD_COMMON, HTPASSWD_DELETE } from "./htpasswdShell";
import { edgePaths } from "./paths";
import { bashAssignments, STRICT_MODE, TAKE_LOCK } from "./shellCommon";

function htpasswdScript(layout: NginxLayout, tier: TierName, body: string): string {
  const paths = edgePaths(layout, tier);
  return [
    `# cm-infra htpasswd for tier ${tier}: atomic, idempotent; the hash arrives on stdin only.`,
    ...STRICT_MODE,
    ...bashAssignments({
      tier,
      lock_file: paths.lockFile,
      htpasswd_dir: paths.htpasswdDir,
      htpasswd_file: paths.htpasswdFile,
    }),
    TAKE_LOCK,
    HTPASSWD_COMMON,
    body,
  ].join("\n");
}

/**
 * Remote commands for the tier's htpasswd file. `stdin` is empty here on purpose: the
 * caller feeds the secret line, `renderHtpasswd(user, bcryptHash)` applied to the
 * RandomPassword output, so it stays a Pulumi secret and out of this plain text.
 */
export function htpasswdScripts(layout: NginxLayout, tier: TierName): RemoteScripts {
  const apply = asRemoteCommand(htpasswdScript(layout, tier, HTPASSWD_APPLY));
  return {
    create: apply,
    update: apply,
    delete: asRemoteCommand(htpasswdScript(layout, tier, HTPASSWD_DELETE)),
    stdin: "",
  };
}
