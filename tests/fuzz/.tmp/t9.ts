import { Runner } from '../../../src/scenario/runner';
import { BUILTINS } from '../../../src/scenario/builtins';
const b = BUILTINS.find((x) => x.id === 'mshare-basics-2024')!;
const r = Runner.fromSource(b.source, 'x', { keepRecords: false });
if (!r.ok) throw 1;
const R = r.runner;
let t0 = performance.now(); R.runToEnd(); console.log('run', (performance.now() - t0).toFixed(0), 'total', R.total, 'cps', R.checkpointPositions());
for (let i = 0; i < 5; i++) { t0 = performance.now(); R.goto(R.position - 1); console.log('back to', R.position, (performance.now() - t0).toFixed(0), 'ms'); }
for (let i = 0; i < 3; i++) { t0 = performance.now(); R.goto(R.position + 1); console.log('fwd to', R.position, (performance.now() - t0).toFixed(0), 'ms'); }
