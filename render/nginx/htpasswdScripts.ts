import { bashScript } from "../bashScript";
import { asRemoteCommand, type RemoteScripts } from "../remoteScripts";
import { NGINX_SCRIPTS } from "../scriptFamilies";
import { HTPASSWD_APPLY, HTPASSWD_COMMON, HTPASSWD_DELETE } from "./scriptParts";
import type { EdgeSite } from "./types";

/** What the htpasswd scripts need of the site: its tier and the paths it installs at. */
export type HtpasswdSite = Pick<EdgeSite, "tier" | "paths">;

function htpasswdScript({ tier, paths }: HtpasswdSite, body: string): string {
  return bashScript({
    family: NGINX_SCRIPTS,
    title: `cm-infra htpasswd for tier ${tier}: atomic, idempotent; the hash arrives on stdin only.`,
    label: `cm-infra htpasswd ${tier}`,
    lockFile: paths.lockFile,
    values: { HTPASSWD_DIR: paths.htpasswdDir, HTPASSWD_FILE: paths.htpasswdFile },
    parts: [HTPASSWD_COMMON, body],
  });
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
