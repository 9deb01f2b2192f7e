import { scriptPart } from "./scriptFiles";

/**
 * Shared by both hosts' firewall scripts (they share STATE_DIR and the lock): a run killed
 * inside a ufw call is repaired by the next one. Why and how: render/shell/ufwResume.sh.
 */
export const UFW_RESUME_BASH = scriptPart("shell/ufwResume.sh");
