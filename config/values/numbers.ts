/**
 * Value rules return problems instead of throwing: config validation attaches the stack
 * file and key to each one, and renderers turn any left over into an invariant failure.
 * A problem names the value, what is wrong, and what would be right.
 */
export interface IntegerRange {
  readonly min: number;
  readonly max: number;
}

export const PORT_RANGE: IntegerRange = { min: 1, max: 65535 };

export function integerProblems(value: number, range: IntegerRange): string[] {
  if (!Number.isInteger(value)) return [`${value} is not an integer (${range.min}-${range.max})`];
  return value < range.min || value > range.max ? [`${value} is outside ${range.min}-${range.max}`] : [];
}

export function portProblems(value: number): string[] {
  return integerProblems(value, PORT_RANGE);
}
