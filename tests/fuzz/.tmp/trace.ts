import { readFileSync } from 'node:fs';
import { Kernel } from '../../../src/engine/kernel';
import { checkInvariants } from '../../../src/engine/invariants';
import { apply, type Op } from '../../engine/ops';
const [config, ops] = JSON.parse(readFileSync(process.argv[2], 'utf8')) as [any, Op[]];
const k = new Kernel(config); k.m.trace.recording = false;
const SKIP = new Set(['task', 'labelAddr', 'mshareInfo']);
const proxy = new Proxy(k, { get(t, p, r) {
  const v = Reflect.get(t, p, r);
  if (typeof v !== 'function' || typeof p !== 'string') return v;
  return (...args: unknown[]) => {
    const res = v.apply(t, args);
    if (!SKIP.has(p)) console.log(`  k.${p}(${args.map((a) => JSON.stringify(a, (_, x) => typeof x === 'number' && x > 65535 ? '0x' + x.toString(16) : x)).join(', ')}) -> ${JSON.stringify(res)}`);
    return res;
  };
} });
for (const o of ops) {
  console.log(JSON.stringify(o));
  apply(proxy as Kernel, o);
  const e = checkInvariants(k.m);
  if (e.length) { console.log('VIOLATION', e); break; }
}
