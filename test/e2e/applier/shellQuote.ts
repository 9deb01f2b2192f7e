import { shellQuote as quoteAlways } from "../../../render/remoteScripts";

/** One word for a POSIX shell: left bare when safe (readable logs), else single-quoted. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_\/.,:=@%+-]+$/.test(word) ? word : quoteAlways(word);
}

export function shellJoin(words: readonly string[]): string {
  return words.map(shellQuote).join(" ");
}
