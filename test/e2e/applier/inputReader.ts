import { isPlainObject } from "./values";

/** A program sets an input the applier does not act on: fail rather than ignore it. */
export class UnsupportedInputError extends Error {}

/**
 * Typed access to one object of provider inputs that remembers which fields were read,
 * so `finish()` can reject every field the applier would otherwise silently drop.
 */
export class InputReader {
  private readonly read = new Set<string>();

  constructor(
    private readonly what: string,
    private readonly fields: Readonly<Record<string, unknown>>,
  ) {}

  static of(what: string, value: unknown): InputReader {
    if (!isPlainObject(value)) throw new UnsupportedInputError(`${what}: expected an object, got ${JSON.stringify(value)}`);
    return new InputReader(what, value);
  }

  private take(key: string): unknown {
    this.read.add(key);
    const value = this.fields[key];
    return value === null ? undefined : value;
  }

  private fail(key: string, expected: string, value: unknown): never {
    throw new UnsupportedInputError(`${this.what}.${key}: expected ${expected}, got ${JSON.stringify(value)}`);
  }

  optionalString(key: string): string | undefined {
    const value = this.take(key);
    if (value === undefined || typeof value === "string") return value;
    return this.fail(key, "a string", value);
  }

  string(key: string): string {
    return this.optionalString(key) ?? this.fail(key, "a string", undefined);
  }

  optionalNumber(key: string): number | undefined {
    const value = this.take(key);
    if (value === undefined || typeof value === "number") return value;
    return this.fail(key, "a number", value);
  }

  optionalBoolean(key: string): boolean | undefined {
    const value = this.take(key);
    if (value === undefined || typeof value === "boolean") return value;
    return this.fail(key, "a boolean", value);
  }

  stringList(key: string): string[] {
    const value = this.take(key);
    if (value === undefined) return [];
    if (Array.isArray(value) && value.every((item) => typeof item === "string")) return value as string[];
    return this.fail(key, "a list of strings", value);
  }

  stringMap(key: string): Record<string, string> {
    const value = this.take(key);
    if (value === undefined) return {};
    if (isPlainObject(value) && Object.values(value).every((item) => typeof item === "string")) return value as Record<string, string>;
    return this.fail(key, "a map of strings", value);
  }

  optionalObject(key: string): InputReader | undefined {
    const value = this.take(key);
    return value === undefined ? undefined : InputReader.of(`${this.what}.${key}`, value);
  }

  objectList(key: string): InputReader[] {
    const value = this.take(key);
    if (value === undefined) return [];
    if (!Array.isArray(value)) return this.fail(key, "a list of objects", value);
    return value.map((item, index) => InputReader.of(`${this.what}.${key}[${index}]`, item));
  }

  /** Any JSON value, compared but not interpreted (e.g. triggers). */
  opaque(key: string): unknown {
    return this.take(key);
  }

  /** Throws if the program set a field nobody read. */
  finish(): void {
    const unread = Object.keys(this.fields).filter((key) => !this.read.has(key) && this.fields[key] !== undefined && this.fields[key] !== null);
    if (unread.length > 0) {
      throw new UnsupportedInputError(`${this.what}: the test applier does not support ${unread.map((key) => `"${key}"`).join(", ")}; extend test/e2e/applier`);
    }
  }
}
