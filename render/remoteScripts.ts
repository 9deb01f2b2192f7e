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

/**
 * The same scripts marked with a reapply generation: a new generation changes the command
 * strings, so the engine runs `update` in place and the idempotent scripts repair whatever
 * was changed by hand. Generation "0" leaves the commands exactly as rendered.
 */
export function withReapplyGeneration(scripts: RemoteScripts, generation: string): RemoteScripts {
  if (generation === "0") return scripts;
  const mark = (command: string) => `# cm-infra reapply generation ${generation}\n${command}`;
  return { ...scripts, create: mark(scripts.create), update: mark(scripts.update) };
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
