import fc from 'fast-check';
import { story } from '../scripts';
import { Runner } from '../../../src/scenario/runner';
const counts = new Map<string, number>();
let steps = 0; const t0 = performance.now();
for (const s of fc.sample(story(40), { seed: 7, numRuns: 150 })) {
  const r = Runner.fromSource(s, 'f', { keepRecords: false });
  if (!r.ok) continue;
  let n = 0;
  while (!r.runner.done && n++ < 300) {
    const rec = r.runner.step()!; steps++;
    const verb = rec.text.replace(/^[^:]*: /, '').split(' ')[0];
    const res = rec.result;
    const k = `${verb} ${res ? (res.errno ?? res.signal ?? 'ok') : rec.kind}`;
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
}
console.log(steps, 'steps', Math.round(performance.now() - t0), 'ms');
console.log([...counts].sort((a, b) => a[0] < b[0] ? -1 : 1).map(([k, v]) => `${v} ${k}`).join('\n'));
