import { isIPv6 } from "node:net";
import { absolutePathProblems } from "../../config/values/paths";
import { headerValueProblems } from "../../config/values/headers";
import { assertValue } from "../invariant";
import { domainProblems, hostProblems } from "../../config/values/names";
import { integerProblems, portProblems } from "../../config/values/numbers";

/**
 * Invariant checks for values interpolated into nginx config and shell scripts, by the
 * same rules config validation applies with the key named (config/values): a value that
 * fails here never came from validated config. Rendered text runs as root on the edge
 * host, so anything that could end a directive or expand is refused, never escaped.
 */

export function assertPort(label: string, value: number): void {
  assertValue(label, portProblems(value));
}

export function assertPositiveInteger(label: string, value: number): void {
  assertValue(label, integerProblems(value, { min: 1, max: Number.MAX_SAFE_INTEGER }));
}

export function assertNonNegativeInteger(label: string, value: number): void {
  assertValue(label, integerProblems(value, { min: 0, max: Number.MAX_SAFE_INTEGER }));
}

export function assertDomain(label: string, value: string): void {
  assertValue(label, domainProblems(value));
}

/**
 * Where nginx proxies to: an IPv4 address, a host name, or an IPv6 address (bracketed by
 * the renderer). Config never sends IPv6 (the firewall could not filter it); nginx can.
 */
export function assertUpstreamAddress(value: string): void {
  if (!isIPv6(value)) assertValue("upstream.address", hostProblems(value));
}

export function assertAbsolutePath(label: string, value: string): void {
  assertValue(label, absolutePathProblems(value));
}

/** Values placed inside a double-quoted nginx string. */
export function assertQuotableValue(label: string, value: string): void {
  assertValue(label, headerValueProblems(value));
}

/**
 * A command the edge scripts run with `/bin/sh -c`, quoted as one bash word: the script
 * needs one non-empty line. Config allows far less (commandLineProblems: plain words only);
 * the renderer's own tests drive it with shell syntax on purpose.
 */
export function assertCommandLine(label: string, value: string): void {
  assertValue(label, value.trim() === "" || /[\n\r\0]/.test(value) ? ["must be a single non-empty command line"] : []);
}
