import { isIP } from "node:net";

/**
 * Small validators that collect problems instead of throwing, so one preview reports
 * every bad key at once. Each problem names the key and the offending value; callers
 * never pass a secret's value here.
 */
export class Problems {
  private readonly lines: string[] = [];

  constructor(
    private readonly stackFile: string,
    private readonly namespace: string,
  ) {}

  add(key: string, message: string): void {
    this.lines.push(`${this.stackFile}: ${this.namespace}:${key}: ${message}`);
  }

  get list(): readonly string[] {
    return this.lines;
  }
}

export type Raw = Record<string, unknown>;

export function isRecord(value: unknown): value is Raw {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function show(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

export function readString(problems: Problems, key: string, value: unknown, fallback?: string): string {
  if (value === undefined || value === null || value === "") {
    if (fallback !== undefined) return fallback;
    problems.add(key, "is required");
    return "";
  }
  if (typeof value !== "string") {
    problems.add(key, `must be a string, got ${show(value)}`);
    return fallback ?? "";
  }
  return value;
}

/** Accepts numbers and numeric strings: `pulumi config set` stores scalars as strings. */
export function readInteger(
  problems: Problems,
  key: string,
  value: unknown,
  range: { min: number; max: number },
  fallback?: number,
): number {
  if (value === undefined || value === null || value === "") {
    if (fallback !== undefined) return fallback;
    problems.add(key, "is required");
    return range.min;
  }
  const parsed = typeof value === "number" ? value : typeof value === "string" && /^-?\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(parsed)) {
    problems.add(key, `must be an integer, got ${show(value)}`);
    return fallback ?? range.min;
  }
  if (parsed < range.min || parsed > range.max) {
    problems.add(key, `${parsed} is outside ${range.min}-${range.max}`);
  }
  return parsed;
}

export function readBoolean(problems: Problems, key: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined || value === null || value === "") return fallback;
  if (value === true || value === "true") return true;
  if (value === false || value === "false") return false;
  problems.add(key, `must be true or false, got ${show(value)}`);
  return fallback;
}

export function readIp(problems: Problems, key: string, value: unknown): string {
  const text = readString(problems, key, value);
  if (text !== "" && isIP(text) === 0) problems.add(key, `${show(text)} is not a valid IP address`);
  return text;
}

export function readObject(problems: Problems, key: string, value: unknown, optional = false): Raw {
  if (value === undefined || value === null) {
    if (!optional) problems.add(key, "is required");
    return {};
  }
  if (!isRecord(value)) {
    problems.add(key, `must be an object, got ${show(value)}`);
    return {};
  }
  return value;
}

export const PORT_RANGE = { min: 1, max: 65535 } as const;

const HOST_KEY = /^(ssh-ed25519|ecdsa-sha2-nistp(256|384|521)|ssh-rsa) [A-Za-z0-9+/]+={0,3}$/;

export function readHostKey(problems: Problems, key: string, value: unknown): string {
  const text = readString(problems, key, value).trim();
  if (text !== "" && !HOST_KEY.test(text)) {
    problems.add(key, `${show(text)} is not an SSH public host key ("ssh-ed25519 AAAA..."; read it with ssh-keyscan)`);
  }
  return text;
}

const DNS_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;

export function readDomain(problems: Problems, key: string, value: unknown): string {
  const text = readString(problems, key, value);
  if (text !== "" && !DNS_NAME.test(text)) problems.add(key, `${show(text)} is not a domain name`);
  return text;
}

/** Names that end up inside nginx/iptables/shell text: keep them to a safe alphabet. */
export function readToken(problems: Problems, key: string, value: unknown, fallback?: string): string {
  const text = readString(problems, key, value, fallback);
  if (text !== "" && !/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(text)) {
    problems.add(key, `${show(text)} may hold only letters, digits, '.', '_' and '-'`);
  }
  return text;
}

export function readAbsolutePath(problems: Problems, key: string, value: unknown, fallback?: string): string {
  const text = readString(problems, key, value, fallback);
  if (text !== "" && !/^\/[A-Za-z0-9._/+-]*$/.test(text)) {
    problems.add(key, `${show(text)} must be an absolute path without spaces or shell characters`);
  }
  return text;
}
