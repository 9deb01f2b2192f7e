/**
 * Guards for values interpolated into nginx config and shell scripts. Rendered text is
 * executed with root privileges on the edge host, so anything that could end a directive
 * (`;`, `{`, quotes, newlines) or expand (`$`) is rejected instead of escaped.
 */

export function assertPort(label: string, value: number): void {
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    throw new Error(`${label} must be an integer port 1-65535, got ${value}`);
  }
}

export function assertPositiveInteger(label: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`${label} must be a positive integer, got ${value}`);
  }
}

export function assertNonNegativeInteger(label: string, value: number): void {
  if (!Number.isInteger(value) || value < 0) {
    throw new Error(`${label} must be a non-negative integer, got ${value}`);
  }
}

const HOST_NAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$/;

export function assertHostName(label: string, value: string): void {
  if (!HOST_NAME.test(value)) {
    throw new Error(`${label} must be a plain host name (letters, digits, '-', '.'), got ${JSON.stringify(value)}`);
  }
}

const IPV6 = /^[0-9A-Fa-f:.]+$/;

/** Host name, IPv4 or bare IPv6 (brackets are added by the renderer). */
export function assertUpstreamAddress(value: string): void {
  if (HOST_NAME.test(value) || (value.includes(":") && IPV6.test(value))) {
    return;
  }
  throw new Error(`upstream.address must be a host name or IP address, got ${JSON.stringify(value)}`);
}

const SAFE_PATH = /^(\/[A-Za-z0-9._-]+)+$/;

export function assertAbsolutePath(label: string, value: string): void {
  if (!SAFE_PATH.test(value) || value.split("/").some((part) => part === "." || part === "..")) {
    throw new Error(`${label} must be an absolute path of [A-Za-z0-9._-] segments, got ${JSON.stringify(value)}`);
  }
}

/** Values placed inside a double-quoted nginx string. */
export function assertQuotableValue(label: string, value: string): void {
  if (value.length === 0 || /["\\$\x00-\x1f\x7f]/.test(value)) {
    throw new Error(`${label} must be non-empty and free of quotes, backslashes, '$' and control characters`);
  }
}
