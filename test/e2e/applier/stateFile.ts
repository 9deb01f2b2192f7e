import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import type { DockerEngine, ResourceRecord } from "./types";

/** The applier's stand-in for a Pulumi checkpoint. Holds secrets in plaintext: 0600. */
export interface ApplierState {
  readonly version: 1;
  nextSequence: number;
  /** Keyed type::name. */
  resources: Record<string, ResourceRecord>;
  /** Replaced resources whose old copy is deleted at the end of the run, like Pulumi's delete phase. */
  pendingDeletes: ResourceRecord[];
  /**
   * Docker provider config by provider id, as the engine keeps it: an in-place update
   * overwrites the entry, a replacement adds a new id and keeps the old one for the old
   * resources' deletes.
   */
  providerConfigs: Record<string, DockerEngine>;
}

export function emptyState(): ApplierState {
  return { version: 1, nextSequence: 1, resources: {}, pendingDeletes: [], providerConfigs: {} };
}

export function loadState(path: string): ApplierState {
  if (!existsSync(path)) return emptyState();
  const state = JSON.parse(readFileSync(path, "utf8")) as ApplierState;
  if (state.version !== 1) throw new Error(`${path}: unknown applier state version ${String(state.version)}`);
  return { ...state, providerConfigs: state.providerConfigs ?? {} };
}

/** Written after every step (like a checkpoint), so a failed run can still be destroyed. */
export function saveState(path: string, state: ApplierState): void {
  const partial = `${path}.partial`;
  writeFileSync(partial, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  renameSync(partial, path);
}
