import fc from 'fast-check';
import { configArb, MSHARE_PREFIX } from '../../engine/ops';
import { longOpArb } from '../suites';
import { checkEngine } from '../check';
import { writeFileSync } from 'node:fs';
fc.assert(fc.property(configArb, fc.boolean(), fc.array(longOpArb, { minLength: 200, maxLength: 1000, size: 'max' }), (config, prefix, ops) => {
  const all = prefix ? [...MSHARE_PREFIX, ...ops] : ops;
  const bad = checkEngine(config, all);
  if (bad) {
    console.log(bad.split('\nreplay:')[0]);
    const m = /step (\d+)/.exec(bad);
    const n = m ? Number(m[1]) + 1 : all.length;
    writeFileSync('/tmp/exp/case101.json', JSON.stringify([config, all.slice(0, n)]));
    throw new Error('bad');
  }
}), { seed: 101, path: '40', endOnFailure: true });
