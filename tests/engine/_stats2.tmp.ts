import fc from 'fast-check';
import { Kernel } from '../../src/engine/kernel';
import { MSHARE_PREFIX, apply, configArb, opArb, type Op } from './ops';
const stats: Record<string, Record<string, number>> = {};
const orig = Kernel.prototype as any;
for (const name of Object.getOwnPropertyNames(orig)) {
  const f = orig[name];
  if (typeof f !== 'function' || name === 'constructor' || ['task','labelAddr','live','withOom','liveName','populate','access','deliver','block'].includes(name)) continue;
  orig[name] = function (...args: any[]) { const r = f.apply(this, args); if (r && typeof r === 'object' && 'errno' in r) { const key = r.errno ?? r.signal ?? 'ok'; (stats[name] ??= {})[key] = (stats[name][key] ?? 0) + 1; } return r; };
}
const mshareOps: fc.Arbitrary<Op> = fc.oneof(
  { weight: 1, arbitrary: fc.constant({ op: 'mount' as const }) },
  { weight: 6, arbitrary: opArb.filter((o) => ['mopen', 'mtrunc', 'attach', 'ioctl-map', 'ioctl-unmap', 'inside-mmap', 'munlink', 'mclose', 'policy'].includes(o.op)) },
  { weight: 6, arbitrary: opArb.filter((o) => ['touch', 'read', 'write', 'fork', 'exit', 'spawn', 'munmap', 'mprotect', 'gup', 'unpin', 'run', 'cgroup'].includes(o.op)) },
);
const prefix = MSHARE_PREFIX;
for (const [cfg, ops] of fc.sample(fc.tuple(configArb, fc.array(mshareOps, { minLength: 30, maxLength: 60 })), { seed: 3, numRuns: 200 })) { const k = new Kernel(cfg); k.m.trace.recording = false; for (const o of [...prefix, ...ops]) apply(k, o); }
console.log(stats);
