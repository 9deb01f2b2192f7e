import { shellQuote } from "./remoteScripts";
import { PRELUDE } from "./scriptParts";

const PLAIN_WORD = /^[A-Za-z0-9._/:=@+, -]*$/;
const VALUE_NAME = /^[A-Z][A-Z0-9_]*$/;

/**
 * A bash string literal. Plain values use double quotes because the whole script later
 * sits inside one single-quoted word (asRemoteCommand), where every `'` turns into `'\''`
 * and clutters the preview diff.
 */
export function bashLiteral(value: string): string {
  return PLAIN_WORD.test(value) ? `"${value}"` : shellQuote(value);
}

export type BashValue = string | number | readonly string[];

/**
 * The values a script is rendered with, as `readonly NAME=...` lines: every value quoted,
 * never spliced into the script's text, and upper case, so a part tells a rendered value
 * from a local at a glance (the naming scheme render/shell/prelude.sh states).
 */
export function bashValues(values: Readonly<Record<string, BashValue>>): string[] {
  return Object.entries(values).map(([name, value]) => {
    if (!VALUE_NAME.test(name)) throw new Error(`a rendered bash value needs an upper-case name, got ${JSON.stringify(name)}`);
    if (typeof value === "number") {
      if (!Number.isInteger(value)) throw new Error(`${name}: ${value} is not an integer`);
      return `readonly ${name}=${bashLiteral(String(value))}`;
    }
    return typeof value === "string" ? `readonly ${name}=${bashLiteral(value)}` : `readonly ${name}=(${value.map(bashLiteral).join(" ")})`;
  });
}

/** What every script of one family (edge and htpasswd; both firewalls) shares. */
export interface ScriptFamily {
  /** How long a run waits for the lock before it gives up. */
  readonly lockWaitSeconds: number;
  /** The family's own settings for the whole run (umask, locale): bash lines. */
  readonly environment: readonly string[];
  /** The summary a failed run ends with; "" for none. */
  readonly failedSummary: string;
}

export interface ScriptFrame {
  readonly family: ScriptFamily;
  /** The first line, a comment: what the script does, as a preview diff shows it. */
  readonly title: string;
  /** Who speaks in the output, e.g. "cm-infra edge rex". */
  readonly label: string;
  readonly lockFile: string;
  /** What the parts read: rendered as readonly upper-case variables. */
  readonly values: Readonly<Record<string, BashValue>>;
  /** The script's parts (scriptParts.ts of each family), in order. */
  readonly parts: readonly string[];
}

/**
 * A complete remote script: its values, the shared prelude (strict mode, logging, lock,
 * summary), the family's environment, its parts. Deterministic: previews diff this text.
 */
export function bashScript(frame: ScriptFrame): string {
  return [
    `# ${frame.title}`,
    // Values first: a part's shellcheck directive before the script's first command would
    // hold for the whole script, and the checks of the rendered script would see less.
    ...bashValues({
      LABEL: frame.label,
      LOCK_FILE: frame.lockFile,
      LOCK_WAIT: frame.family.lockWaitSeconds,
      FAILED_SUMMARY: frame.family.failedSummary,
      ...frame.values,
    }),
    PRELUDE,
    ...frame.family.environment,
    ...frame.parts,
  ].join("\n");
}
