/** Edit distance with adjacent transpositions (optimal string alignment), case-insensitive. */
function distance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  const rows = Array.from({ length: x.length + 1 }, (_, i) => Array.from({ length: y.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= x.length; i++) {
    for (let j = 1; j <= y.length; j++) {
      const row = rows[i]!;
      const above = rows[i - 1]!;
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      row[j] = Math.min(above[j]! + 1, row[j - 1]! + 1, above[j - 1]! + cost);
      if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1]) row[j] = Math.min(row[j]!, rows[i - 2]![j - 2]! + 1);
    }
  }
  return rows[x.length]![y.length]!;
}

/**
 * The known key a misspelt one most likely meant: same letters in another case, or a
 * small edit away (one edit for short keys, two from six letters on), or undefined.
 */
export function closestKey(unknown: string, known: readonly string[]): string | undefined {
  const limit = unknown.length >= 6 ? 2 : 1;
  let best: { key: string; distance: number } | undefined;
  for (const key of known) {
    const d = distance(unknown, key);
    if (d <= limit && (best === undefined || d < best.distance)) best = { key, distance: d };
  }
  return best?.key;
}
