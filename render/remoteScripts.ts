/**
 * What one `@pulumi/command` remote.Command runs on a host. Renderers return this
 * shape as plain text so tests can execute exactly what the provider would send.
 *
 * Each command string is run by the remote login shell (sshd's `$SHELL -c`), with
 * `stdin` piped to it. Content and secrets travel on stdin, never in the command line:
 * the provider echoes the command string in its error messages.
 */
export interface RemoteScripts {
  /** Runs on first create and on every in-place update (idempotent). */
  readonly create: string;
  readonly update: string;
  /** Removes exactly what create installed. */
  readonly delete: string;
  /** Fed to create/update (not to delete). Empty string when unused. */
  readonly stdin: string;
}

/** Quote a string for a POSIX shell as a single word. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * Turns a bash script into the command string sent over SSH. The login shell on the
 * remote host may not be bash, so the script is handed to bash explicitly; keeping the
 * script body verbatim inside one quoted word keeps preview diffs line-by-line readable.
 */
export function asRemoteCommand(script: string): string {
  return `/bin/bash -c ${shellQuote(script.endsWith("\n") ? script : `${script}\n`)}`;
}
