/** One value per run under each key; the table shows median, min and max. */
export interface Summary {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly runs: number;
}

export class Samples {
  private readonly values = new Map<string, number[]>();

  add(key: string, value: number): void {
    const list = this.values.get(key) ?? [];
    list.push(value);
    this.values.set(key, list);
  }

  has(key: string): boolean {
    return this.values.has(key);
  }

  summary(key: string): Summary | undefined {
    const list = this.values.get(key);
    if (list === undefined || list.length === 0) return undefined;
    const sorted = [...list].sort((left, right) => left - right);
    const middle = Math.floor(sorted.length / 2);
    const median = sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
    return { median, min: sorted[0] ?? 0, max: sorted[sorted.length - 1] ?? 0, runs: sorted.length };
  }

  keys(): string[] {
    return [...this.values.keys()];
  }
}

/** "1.23 (1.10-1.40)": median, then min-max; counts that never vary print once. */
export function formatSeconds(summary: Summary | undefined): string {
  if (summary === undefined) return "-";
  return `${summary.median.toFixed(2)} (${summary.min.toFixed(2)}-${summary.max.toFixed(2)})`;
}

export function formatCount(summary: Summary | undefined): string {
  if (summary === undefined) return "-";
  const median = Number.isInteger(summary.median) ? String(summary.median) : summary.median.toFixed(1);
  return summary.min === summary.max ? median : `${median} (${summary.min}-${summary.max})`;
}

export function formatRatio(summary: Summary | undefined): string {
  if (summary === undefined) return "-";
  return `${summary.median.toFixed(2)}x (${summary.min.toFixed(2)}-${summary.max.toFixed(2)})`;
}
