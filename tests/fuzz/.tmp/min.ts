import { readFileSync, writeFileSync } from 'node:fs';
import { Kernel } from '../../../src/engine/kernel';
import { checkInvariants } from '../../../src/engine/invariants';
import { apply, type Op } from '../../engine/ops';
const [config, ops0] = JSON.parse(readFileSync(process.argv[2], 'utf8')) as [any, Op[]];
const pattern = new RegExp(process.argv[3] ?? '.');
function fails(ops: Op[]): boolean {
  const k = new Kernel(config); k.m.trace.recording = false;
  for (const o of ops) {
    try { apply(k, o); } catch { return false; }
    const e = checkInvariants(k.m);
    if (e.length) return e.some((x) => pattern.test(x));
  }
  return false;
}
let ops = ops0;
if (!fails(ops)) throw new Error('does not fail');
for (let chunk = 64; chunk >= 1; chunk = Math.floor(chunk / 2)) {
  let i = 0;
  while (i < ops.length) {
    const cand = [...ops.slice(0, i), ...ops.slice(i + chunk)];
    if (fails(cand)) { ops = cand; } else i += chunk;
  }
  console.log('chunk', chunk, 'len', ops.length);
}
writeFileSync(process.argv[4], JSON.stringify([config, ops]));
console.log(JSON.stringify(config)); for (const o of ops) console.log(JSON.stringify(o));
