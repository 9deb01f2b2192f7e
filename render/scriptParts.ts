import { scriptPart } from "./scriptFiles";

/**
 * The parts every script family shares (render/shell/); each file says what it holds and
 * what it expects.
 */
export const PRELUDE = scriptPart("shell/prelude.sh");
/** Both hosts' firewalls: the lock's bookkeeping, reading ufw once, the repair after a kill inside ufw. */
export const FIREWALL_SHARED = scriptPart("shell/firewallShared.sh");
