import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SshHostConfig } from "../config/types";
import { identityFileOptions, pinnedHostKeyOptions } from "../render/sshOptions";

export type ProbeResult = { readonly ok: true; readonly output: string } | { readonly ok: false; readonly reason: string };

export interface SshIdentity {
  /** Private key file; undefined uses ssh-agent or the default keys. */
  readonly keyFile?: string;
}

/** Runs a read-only script on a host in one SSH session, with the host key pinned. */
export function runOverSsh(host: SshHostConfig, identity: SshIdentity, script: string, timeoutSeconds = 60): ProbeResult {
  const args = [
    ...pinnedHostKeyOptions(host),
    "-o", "BatchMode=yes",
    "-o", "ConnectTimeout=10",
    "-o", "ConnectionAttempts=1",
    "-p", String(host.sshPort),
    ...identityFileOptions(identity.keyFile),
    `${host.sshUser}@${host.address}`,
    "bash -s",
  ];
  const result = spawnSync("ssh", args, { input: script, encoding: "utf8", timeout: timeoutSeconds * 1000 });
  if (result.error) return { ok: false, reason: `ssh ${host.address}: ${result.error.message}` };
  if (result.status === 255) {
    const last = result.stderr.trim().split("\n").pop() ?? "";
    return { ok: false, reason: `ssh ${host.sshUser}@${host.address}:${host.sshPort} failed: ${last}` };
  }
  return { ok: true, output: result.stdout };
}

/** A key given as content (CI secret) is written to a private temp file for ssh. */
export function keyFileFromContent(content: string): { readonly path: string; readonly dispose: () => void } {
  const scratch = mkdtempSync(join(tmpdir(), "cm-infra-key-"));
  const path = join(scratch, "id");
  writeFileSync(path, content.endsWith("\n") ? content : `${content}\n`, { mode: 0o600 });
  return { path, dispose: () => rmSync(scratch, { recursive: true, force: true }) };
}
