import { scriptPart } from "../scriptFiles";

/** The Flask host firewall's script parts (render/firewall/sh/); each file says what it holds. */
export const FIREWALL_COMMON = scriptPart("firewall/sh/common.sh");
export const FIREWALL_MANAGED_BLOCK = scriptPart("firewall/sh/managedBlock.sh");
export const FIREWALL_UFW_OWNERSHIP = scriptPart("firewall/sh/ufwOwnership.sh");
export const FIREWALL_APPLY = scriptPart("firewall/sh/apply.sh");
export const FIREWALL_DELETE = scriptPart("firewall/sh/delete.sh");
