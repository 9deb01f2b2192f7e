import { readFileSync } from "node:fs";
import { join } from "node:path";

const cache = new Map<string, string>();

/**
 * The text of a remote script part kept as a real `.sh` file under render/ (so editors and
 * shellcheck see bash, not a TypeScript template with escapes). Read as is, byte for byte:
 * previews diff the rendered scripts, so they must not change from one run to the next.
 */
export function scriptPart(relativePath: string): string {
  let text = cache.get(relativePath);
  if (text === undefined) {
    text = readFileSync(join(__dirname, relativePath), "utf8");
    cache.set(relativePath, text);
  }
  return text;
}
