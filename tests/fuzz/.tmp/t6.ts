import fc from 'fast-check';
import { story } from '../scripts';
import { checkScript } from '../check';
const rows: [number, string][] = [];
for (const s of fc.sample(story(40), { seed: 0x5c1, numRuns: 100 })) {
  const t0 = performance.now();
  checkScript(s);
  rows.push([performance.now() - t0, s.split('\n')[0]]);
}
rows.sort((a, b) => b[0] - a[0]);
console.log(rows.slice(0, 15).map(([t, l]) => `${t.toFixed(0)} ${l}`).join('\n'));
console.log('total', rows.reduce((a, b) => a + b[0], 0).toFixed(0));
