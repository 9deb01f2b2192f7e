import { scriptPart } from "../scriptFiles";

/** The edge's script parts (render/nginx/sh/); each file says what it holds and what it expects. */
export const WRITE_BESIDE = scriptPart("nginx/sh/writeBeside.sh");
export const EDGE_COMMON = scriptPart("nginx/sh/edgeCommon.sh");
export const EDGE_STEPS = scriptPart("nginx/sh/edgeSteps.sh");
export const EDGE_STAGING = scriptPart("nginx/sh/edgeStaging.sh");
export const EDGE_APPLY = scriptPart("nginx/sh/edgeApply.sh");
export const EDGE_DELETE = scriptPart("nginx/sh/edgeDelete.sh");
export const HTPASSWD_COMMON = scriptPart("nginx/sh/htpasswdCommon.sh");
export const HTPASSWD_APPLY = scriptPart("nginx/sh/htpasswdApply.sh");
export const HTPASSWD_DELETE = scriptPart("nginx/sh/htpasswdDelete.sh");
