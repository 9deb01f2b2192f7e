import type { ScriptFamily } from "./bashScript";

/*
 * The two script families and where they differ; everything else (strict mode, logging,
 * the lock, the summary line) is the one prelude, render/shell/prelude.sh.
 */

/** The edge site's and the htpasswd's scripts on the aaPanel host. */
export const NGINX_SCRIPTS: ScriptFamily = {
  // Every stack that edits this nginx queues on its lock, and a reload can take a while.
  lockWaitSeconds: 300,
  // Files nginx reads are created 0644, whatever root's umask is.
  environment: ["umask 022"],
  // A failed run still ends with a summary line, in the same form as the others.
  failedSummary: "result=failed reloaded=no",
};

/** Both hosts' firewalls: the Flask host's and the aaPanel host's. */
export const FIREWALL_SCRIPTS: ScriptFamily = {
  // Both take turns on one lock (render/aapanelFirewall/hostPaths.ts).
  lockWaitSeconds: 120,
  // run_ufw reads ufw's answers ("Skipping", "non-existent"). ufw ships translations
  // (/usr/share/ufw/messages) chosen by the locale pam_env hands SSH sessions (aaPanel
  // hosts often run zh_CN), so ufw speaks C on both hosts.
  environment: ["export LC_ALL=C"],
  // No summary for a failed run: the patterns in hostPaths.ts say changed or unchanged.
  failedSummary: "",
};
