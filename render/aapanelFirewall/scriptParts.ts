import { scriptPart } from "../scriptFiles";

/** The aaPanel host's firewall script parts (render/aapanelFirewall/sh/); each file says what it holds. */
export const AAPANEL_RULES = scriptPart("aapanelFirewall/sh/rules.sh");
export const AAPANEL_COMMON = scriptPart("aapanelFirewall/sh/common.sh");
export const AAPANEL_APPLY = scriptPart("aapanelFirewall/sh/apply.sh");
export const AAPANEL_DELETE = scriptPart("aapanelFirewall/sh/delete.sh");
