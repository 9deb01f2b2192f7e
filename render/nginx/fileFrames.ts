import { createHash } from "node:crypto";
import type { ManagedFile } from "./types";
import { assertAbsolutePath } from "./validate";

/**
 * Line-oriented framing for several files on one stdin. Every content line is prefixed
 * with `|`, so the text stays readable in a preview diff and bash can parse it with
 * `read -r`, no byte counting. The sha256 and the trailing count catch truncation.
 *
 *   cm-infra-files v1
 *   @file <sha256 of content> <absolute path>
 *   |<content line>
 *   @end
 *   @eof <number of files>
 */
export const FRAME_HEADER = "cm-infra-files v1";

export function sha256Hex(content: string): string {
  return createHash("sha256").update(content, "utf8").digest("hex");
}

export function encodeFileFrames(files: readonly ManagedFile[]): string {
  const lines = [FRAME_HEADER];
  for (const file of files) {
    assertAbsolutePath("framed file path", file.path);
    if (!file.content.endsWith("\n") || file.content.includes("\0")) {
      throw new Error(`${file.path}: framed content must end with a newline and contain no NUL bytes`);
    }
    lines.push(`@file ${sha256Hex(file.content)} ${file.path}`);
    lines.push(...file.content.slice(0, -1).split("\n").map((line) => `|${line}`));
    lines.push("@end");
  }
  lines.push(`@eof ${files.length}`);
  return `${lines.join("\n")}\n`;
}
