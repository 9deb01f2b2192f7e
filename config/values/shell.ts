import { show } from "./text";

const WORD = /^[A-Za-z0-9._/:=@+,%][A-Za-z0-9._/:=@+,%-]*$/;

/**
 * A command line run by `/bin/sh -c` on a host (nginx's reload command): plain words
 * separated by single spaces, nothing the shell would expand, chain or redirect, and no
 * word that starts with '-' first.
 */
export function commandLineProblems(text: string): string[] {
  const words = text.split(" ");
  if (text.trim() === "") return ["is empty: give the command that reloads nginx (e.g. \"/etc/init.d/nginx reload\")"];
  const [first = "", ...rest] = words;
  const plain = WORD.test(first) && rest.every((word) => word !== "" && (WORD.test(word) || /^-[A-Za-z0-9._/:=@+,%-]+$/.test(word)));
  return plain
    ? []
    : [`${show(text)} must be plain words separated by single spaces (letters, digits, '.', '_', '/', ':', '=', '@', '+', ',', '%', '-'): no quotes, '$', ';', '|', '&', redirections or newlines`];
}
