import { show } from "./text";

/**
 * An HTTP header value placed inside a double-quoted nginx string: printable ASCII only,
 * and none of '"' (ends the string), '\' (escapes) or '$' (nginx variable).
 */
export function headerValueProblems(text: string): string[] {
  if (text.length === 0) return ["is empty: give a value, or false to leave the header out"];
  const bad = [...text].filter((char) => !/^[\x20-\x7e]$/.test(char) || char === '"' || char === "\\" || char === "$");
  if (bad.length === 0) return [];
  const shown = [...new Set(bad)].map((char) => show(char)).join(", ");
  return [`${show(text)} contains ${shown}: a header value may hold printable ASCII without '"', '\\' or '$'`];
}
