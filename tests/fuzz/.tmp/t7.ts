import { Runner } from '../../../src/scenario/runner';
import { checkInvariants, leakedFrames } from '../../../src/engine/invariants';
import { stateDigest } from '../../../src/engine/snapshot';
const t = () => performance.now();
for (const ram of ['256M', '64M', '16M', '4G']) {
  let t0 = t();
  const r = Runner.fromSource(`machine ram=${ram}\nspawn a\na: mmap auto 4M rw private,anon as x\na: touch x 4M write\na: fork as b`, 'x', { keepRecords: false });
  if (!r.ok) throw 1;
  const build = t() - t0; t0 = t();
  r.runner.runToEnd();
  const run = t() - t0; t0 = t();
  checkInvariants(r.runner.kernel.m);
  const inv = t() - t0; t0 = t();
  leakedFrames(r.runner.kernel.m);
  const leak = t() - t0; t0 = t();
  stateDigest(r.runner.kernel.m);
  const dig = t() - t0; t0 = t();
  r.runner.goto(2); r.runner.goto(5);
  const gt = t() - t0;
  console.log(ram, { build, run, inv, leak, dig, gt });
}
