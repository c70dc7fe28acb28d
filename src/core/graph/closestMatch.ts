/**
 * The candidate closest to `word` by edit distance (insertions, deletions, substitutions and swaps of two
 * neighbouring characters, ignoring case), or null when none is close enough to be a plausible typo:
 * at most a third of the word's length, and at least 1, may differ. Ties go to the alphabetically first candidate.
 */
export function closestMatch(word: string, candidates: Iterable<string>): string | null {
  const target = word.toLowerCase();
  const limit = Math.max(1, Math.floor(target.length / 3));
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    if (candidate === word) continue;
    const lower = candidate.toLowerCase();
    if (Math.abs(lower.length - target.length) > Math.min(limit, bestDistance)) continue;
    const d = editDistance(target, lower, Math.min(limit, bestDistance));
    if (d < bestDistance || (d === bestDistance && best !== null && candidate < best)) {
      best = candidate;
      bestDistance = d;
    }
  }
  return bestDistance <= limit ? best : null;
}

/** Optimal-string-alignment distance; returns `cap + 1` as soon as the distance must exceed `cap`. */
export function editDistance(a: string, b: string, cap = Infinity): number {
  const n = a.length;
  const m = b.length;
  if (Math.abs(n - m) > cap) return cap + 1;
  let prev2 = new Array<number>(m + 1).fill(0);
  let prev = Array.from({ length: m + 1 }, (_, j) => j);
  let cur = new Array<number>(m + 1).fill(0);
  for (let i = 1; i <= n; i++) {
    cur[0] = i;
    let rowMin = cur[0];
    for (let j = 1; j <= m; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prev2[j - 2]! + 1);
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > cap) return cap + 1;
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  return prev[m]!;
}
