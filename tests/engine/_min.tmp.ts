import { Kernel } from '../../src/engine/kernel';
import { checkInvariants, leakedFrames } from '../../src/engine/invariants';
import { apply, type Op } from './ops';
import { readFileSync } from 'node:fs';
const [cfg, ops] = JSON.parse(readFileSync(process.argv[2], 'utf8')) as [any, Op[]];
function fails(list: Op[]): string | null {
  const k = new Kernel(cfg);
  for (const o of list) {
    try { apply(k, o); } catch (e) { return 'throw ' + (e as Error).message; }
    const e = checkInvariants(k.m); if (e.length) return e[0].replace(/\d+/g, 'N');
  }
  for (const t of [...k.m.s.tasks.values()]) if (t.state === 'running' || t.state === 'blocked') k.exit(t.name);
  for (const p of [...k.m.s.paths.keys()].sort((a, b) => b.length - a.length)) { const i = k.m.s.paths.get(p); if (i && i.kind !== 'info' && !k.m.s.mounts.has(p)) k.unlink(p); }
  const e = checkInvariants(k.m); if (e.length) return 'end ' + e[0].replace(/\d+/g, 'N');
  if (leakedFrames(k.m)) return 'leak';
  return null;
}
const target = fails(ops);
console.log('target:', target);
let cur = ops;
for (let changed = true; changed;) {
  changed = false;
  for (let i = 0; i < cur.length; i++) {
    const cand = cur.slice(0, i).concat(cur.slice(i + 1));
    if (fails(cand) === target) { cur = cand; changed = true; i--; }
  }
}
console.log(JSON.stringify(cur));
// verbose replay
const k = new Kernel(cfg);
for (const o of cur) {
  const before = k.m.trace.seq;
  apply(k, o);
  console.log(JSON.stringify(o), '->', checkInvariants(k.m).slice(0, 3));
}
