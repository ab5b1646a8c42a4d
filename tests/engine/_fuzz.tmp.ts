import { writeFileSync } from 'node:fs';
import fc from 'fast-check';
import { Kernel } from '../../src/engine/kernel';
import { checkInvariants, leakedFrames } from '../../src/engine/invariants';
import { MSHARE_PREFIX, apply, configArb, opArb, type Op } from './ops';
const mode = process.argv[2] ?? 'all';
const runs = Number(process.argv[3] ?? 500);
const seed = Number(process.argv[4] ?? 1);
const mshareOps: fc.Arbitrary<Op> = fc.oneof(
  { weight: 1, arbitrary: fc.constant({ op: 'mount' as const }) },
  { weight: 6, arbitrary: opArb.filter((o) => ['mopen', 'mtrunc', 'attach', 'ioctl-map', 'ioctl-unmap', 'inside-mmap', 'munlink', 'mclose', 'policy'].includes(o.op)) },
  { weight: 6, arbitrary: opArb.filter((o) => ['touch', 'read', 'write', 'fork', 'exit', 'spawn', 'munmap', 'mprotect', 'gup', 'unpin', 'run', 'cgroup'].includes(o.op)) },
);
const arb = fc.tuple(configArb, fc.array(mode === 'mshare' ? mshareOps : opArb, { minLength: 30, maxLength: 80 }));
const prefix: Op[] = mode === 'mshare' ? MSHARE_PREFIX : [];
const seen = new Set<string>();
let steps = 0;
for (const [cfg, ops0] of fc.sample(arb, { seed, numRuns: runs })) {
  const ops = [...prefix, ...ops0];
  const k = new Kernel(cfg); k.m.trace.recording = false;
  let bad: string | null = null;
  for (let i = 0; i < ops.length && !bad; i++) {
    try { apply(k, ops[i]); } catch (e) { bad = 'throw ' + (e as Error).message + ' ' + (e as Error).stack?.split('\n')[1]; }
    steps++;
    if (!bad) { const e = checkInvariants(k.m); if (e.length) bad = e[0]; }
  }
  if (!bad) {
    for (const t of [...k.m.s.tasks.values()]) if (t.state === 'running' || t.state === 'blocked') k.exit(t.name);
    for (const p of [...k.m.s.paths.keys()].sort((a, b) => b.length - a.length)) { const i = k.m.s.paths.get(p); if (i && i.kind !== 'info' && !k.m.s.mounts.has(p)) k.unlink(p); }
    const e = checkInvariants(k.m); if (e.length) bad = 'end ' + e[0]; else if (leakedFrames(k.m)) bad = 'leak ' + leakedFrames(k.m);
  }
  if (bad) {
    const key = bad.replace(/\d+/g, 'N');
    if (!seen.has(key)) { seen.add(key); console.log('FAIL', key); writeFileSync(`/tmp/fail-${seen.size}.json`, JSON.stringify([cfg, ops])); }
  }
}
console.log('steps', steps, 'distinct failures', seen.size);
