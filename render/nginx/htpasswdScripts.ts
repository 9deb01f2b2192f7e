import { asRemoteCommand, type RemoteScripts } from "../remoteScripts";
import { HTPASSWD_APPLY, HTPASSWD_COMMON, HTPASSWD_DELETE, TAKE_LOCK } from "./scriptParts";
import { bashAssignments, STRICT_MODE } from "./shellCommon";
import type { EdgeSite } from "./types";

/** What the htpasswd scripts need of the site: its tier and the paths it installs at. */
export type HtpasswdSite = Pick<EdgeSite, "tier" | "paths">;

function htpasswdScript({ tier, paths }: HtpasswdSite, body: string): string {
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
export function htpasswdScripts(site: HtpasswdSite): RemoteScripts {
  const apply = asRemoteCommand(htpasswdScript(site, HTPASSWD_APPLY));
  return {
    create: apply,
    update: apply,
    delete: asRemoteCommand(htpasswdScript(site, HTPASSWD_DELETE)),
    stdin: "",
  };
}
