import type { SshHostConfig } from "../config/types";
import type { AaPanelFirewallExpectation } from "./aapanelFirewall";

/** One thing the program installs on a host, and how to recognise it unchanged. */
export type Expectation =
  /** A file whose exact content the program renders. */
  | { readonly kind: "file"; readonly artifact: string; readonly path: string; readonly sha256: string }
  /** A file an earlier version installed and the scripts remove; nginx would load it beside ours. */
  | { readonly kind: "absent"; readonly artifact: string; readonly path: string }
  /** The htpasswd file: its content comes from state, so check its owner line's shape only. */
  | { readonly kind: "htpasswd"; readonly artifact: string; readonly path: string; readonly user: string }
  /** The tier's live iptables chain, rule by rule. */
  | { readonly kind: "chain"; readonly artifact: string; readonly chain: string; readonly rules: readonly string[] }
  /** The jump from DOCKER-USER into the tier's chain. */
  | { readonly kind: "jump"; readonly artifact: string; readonly chain: string }
  /** ufw rules tagged with the tier's comment, exactly as `ufw show added` prints them. */
  | { readonly kind: "ufw"; readonly artifact: string; readonly comment: string; readonly rules: readonly string[] }
  /** A container that must be running. */
  | { readonly kind: "container"; readonly artifact: string; readonly name: string }
  /** ufw on the aaPanel host (aapanelHost.firewall). */
  | AaPanelFirewallExpectation;

export interface HostExpectations {
  readonly role: "aapanel" | "flask";
  readonly host: SshHostConfig;
  readonly expectations: readonly Expectation[];
}

export type Status = "ok" | "drift";

export interface DriftRow {
  readonly host: string;
  readonly artifact: string;
  readonly expected: string;
  readonly found: string;
  readonly status: Status;
}
