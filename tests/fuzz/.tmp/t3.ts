import fc from 'fast-check';
import { story } from '../scripts';
import { parseScript } from '../../../src/scenario/parser';
const counts = new Map<string, number>();
let ok = 0;
for (const s of fc.sample(story(40), { seed: 5, numRuns: 300 })) {
  const r = parseScript(s, 'f');
  if (r.ok) { ok++; continue; }
  for (const e of r.errors) { const k = e.message.replace(/'[^']*'/g, "'_'").slice(0, 70); counts.set(k, (counts.get(k) ?? 0) + 1); }
}
console.log('ok', ok);
console.log([...counts].sort((a, b) => b[1] - a[1]).slice(0, 30).map(([k, v]) => `${v} ${k}`).join('\n'));
