/**
 * "did you mean" for misspelt verbs, flags, fields and names.
 */

/**
 * Edit distance with adjacent transpositions (optimal string alignment: insert, delete,
 * substitute, swap two neighbours, each cost 1), so `exti` is one edit from `exit`, as a
 * typist would count it. Stops early and returns `limit + 1` once the distance must exceed
 * `limit`, so a 4 KiB junk word costs no more than a short one.
 */
export function levenshtein(a: string, b: string, limit = Infinity): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let prev2 = new Array<number>(b.length + 1).fill(0);
  let prev = new Array<number>(b.length + 1);
  let cur = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    let rowMin = cur[0];
    for (let j = 1; j <= b.length; j++) {
      let d = Math.min(prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1), prev[j] + 1, cur[j - 1] + 1);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prev2[j - 2] + 1);
      cur[j] = d;
      if (d < rowMin) rowMin = d;
    }
    if (rowMin > limit) return limit + 1;
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  return prev[b.length];
}

/**
 * The candidate closest to `word`, or undefined when none is close enough to be a typo:
 * a case-only difference always counts; otherwise at most 1 edit for words of up to 4
 * characters, 2 for longer ones. Ties go to the earlier candidate (lists are ordered by
 * how common the spelling is).
 */
export function didYouMean(word: string, candidates: readonly string[]): string | undefined {
  const lower = word.toLowerCase();
  const limit = word.length <= 4 ? 1 : 2;
  let best: string | undefined;
  let bestDist = limit + 1;
  for (const c of candidates) {
    if (c === word) continue;
    const d = c.toLowerCase() === lower ? 0 : levenshtein(lower, c.toLowerCase(), limit);
    if (d < bestDist) {
      best = c;
      bestDist = d;
    }
  }
  return best;
}

/** ` (did you mean 'x'?)` or '' — ready to append to a message. */
export function suggestion(word: string, candidates: readonly string[]): string {
  const s = didYouMean(word, candidates);
  return s === undefined ? '' : ` (did you mean '${s}'?)`;
}

/** `a, b or c` for messages that list the choices. */
export function orList(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}
