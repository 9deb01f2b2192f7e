import type { IntegerRange } from "./values/numbers";
import { show } from "./values/text";
import { closestKey } from "./suggest";

export { show };

/**
 * Collects problems instead of throwing, so one preview reports every bad key at once.
 * Each line: stack file, key, what is wrong, what would be right. Callers never pass a
 * secret's value here.
 */
export class Problems {
  private readonly lines: string[] = [];

  constructor(
    private readonly stackFile: string,
    private readonly namespace: string,
  ) {}

  add(key: string, message: string): void {
    // One line per problem, whatever a value held.
    this.lines.push(`${this.stackFile}: ${this.namespace}:${key}: ${message.replace(/[\r\n]+/g, " ")}`);
  }

  get list(): readonly string[] {
    return this.lines;
  }
}

export type Raw = Record<string, unknown>;

export function isRecord(value: unknown): value is Raw {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export interface SectionOptions {
  readonly optional?: boolean;
  /** Keys that belong elsewhere (another tier...), with why they are refused here. */
  readonly misplaced?: Readonly<Record<string, string>>;
}

/** Typed reads of one stack's raw values; every problem is recorded under its key. */
export class Reader {
  constructor(readonly problems: Problems) {}

  add(key: string, message: string): void {
    this.problems.add(key, message);
  }

  /** Adds a value rule's problems under key; true when there were none. */
  check(key: string, problems: readonly string[]): boolean {
    for (const problem of problems) this.add(key, problem);
    return problems.length === 0;
  }

  /**
   * A mapping whose keys are all known: a misspelt key is refused (with the key it most
   * likely meant), never silently ignored in favour of a default. Key "" is the top level.
   */
  section(key: string, value: unknown, fields: readonly string[], options: SectionOptions = {}): Raw {
    if (value === undefined || value === null) {
      if (!options.optional) this.add(key, `is required (a mapping with ${fields.join(", ")})`);
      return {};
    }
    if (!isRecord(value)) {
      this.add(key, `must be a mapping with ${fields.join(", ")}, got ${show(value)}`);
      return {};
    }
    for (const name of Object.keys(value)) {
      if (fields.includes(name)) continue;
      const full = key === "" ? name : `${key}.${name}`;
      const misplaced = options.misplaced?.[name];
      if (misplaced !== undefined) {
        this.add(full, misplaced);
        continue;
      }
      const near = closestKey(name, fields);
      const hint = near === undefined ? "" : `; did you mean ${near}?`;
      this.add(full, key === "" ? `is not a cm-infra setting${hint} (see README "Configuration")` : `is not a setting of ${key}${hint} (${key} takes ${fields.join(", ")})`);
    }
    return value;
  }

  string(key: string, value: unknown, fallback?: string): string {
    if (value === undefined || value === null || value === "") {
      if (fallback !== undefined) return fallback;
      this.add(key, "is required");
      return "";
    }
    if (typeof value !== "string") {
      this.add(key, `must be a string, got ${show(value)}`);
      return fallback ?? "";
    }
    return value;
  }

  /** A string that must also pass a value rule (skipped when missing: already reported). */
  checked(key: string, value: unknown, rule: (text: string) => readonly string[], fallback?: string): string {
    const text = this.string(key, value, fallback);
    if (text !== "") this.check(key, rule(text));
    return text;
  }

  /** Accepts numbers and numeric strings: `pulumi config set` stores scalars as strings. */
  integer(key: string, value: unknown, range: IntegerRange, fallback?: number): number {
    if (value === undefined || value === null || value === "") {
      if (fallback !== undefined) return fallback;
      this.add(key, "is required");
      return range.min;
    }
    const parsed = typeof value === "number" ? value : typeof value === "string" && /^-?\d+$/.test(value) ? Number(value) : NaN;
    if (!Number.isInteger(parsed)) {
      this.add(key, `must be an integer (${range.min}-${range.max}), got ${show(value)}`);
      return fallback ?? range.min;
    }
    if (parsed < range.min || parsed > range.max) this.add(key, `${parsed} is outside ${range.min}-${range.max}`);
    return parsed;
  }

  boolean(key: string, value: unknown, fallback: boolean): boolean {
    if (value === undefined || value === null || value === "") return fallback;
    if (value === true || value === "true") return true;
    if (value === false || value === "false") return false;
    this.add(key, `must be true or false, got ${show(value)}`);
    return fallback;
  }
}
