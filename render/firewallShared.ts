import { scriptPart } from "./scriptFiles";

/**
 * The part both hosts' firewall scripts share (render/shell/firewallShared.sh): the
 * host-wide lock, reading ufw once per run, running ufw, repairing a run killed inside ufw.
 */
export const FIREWALL_SHARED_BASH = scriptPart("shell/firewallShared.sh");
