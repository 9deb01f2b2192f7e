import { APP_SECRET_KEYS, REGISTRY_PASSWORD_SECRET, SSH_KEY_SECRET } from "./defaults";

/** Settings whose values are YAML mappings in the stack file (JSON strings from the CLI). */
export const OBJECT_KEYS = ["flaskHost", "aapanelHost", "images", "gunicorn", "app", "edge", "firewall"] as const;
export const SCALAR_KEYS = [
  "tier",
  "sandboxState",
  "dockerHost",
  "dockerSshIdentityFile",
  "webPort",
  "lanAddress",
  "domain",
  "debug",
  "publishThroughEdge",
  "reapplyGeneration",
] as const;

/** Needed by every tier but the sandbox (which generates its own). */
export const REQUIRED_SECRETS: readonly string[] = [...APP_SECRET_KEYS, SSH_KEY_SECRET];
/** Every secret cm-infra reads; registryPassword only with images.registryAuth. */
export const SECRET_KEYS: readonly string[] = [...REQUIRED_SECRETS, REGISTRY_PASSWORD_SECRET];

export const SETTING_KEYS: readonly string[] = [...SCALAR_KEYS, ...OBJECT_KEYS];

/** On the sandbox tier these come from sandboxState; the stack file must not set them. */
export const SANDBOX_FILLED_KEYS = ["flaskHost", "aapanelHost", "lanAddress", "dockerHost", "dockerSshIdentityFile"] as const;
