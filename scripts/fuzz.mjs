#!/usr/bin/env node
// `npm run fuzz`: the CI fuzz suites (tests/fuzz) with many more runs, nightly style.
//
//   npm run fuzz                          3000 scripts, 200 op sequences of 200-1000 ops, random seed
//   npm run fuzz -- --seed 7              the same seed again (a failure prints its seed)
//   npm run fuzz -- --scripts 20000 --sequences 1000 --ops 2000
//   npm run fuzz -- --only engine         one suite (runner | engine)
//
// Each option is also an environment variable (FUZZ_SEED, FUZZ_SCRIPTS, FUZZ_SEQUENCES,
// FUZZ_OPS, FUZZ_STEP_CAP, FUZZ_ONLY). Prints sequences x steps run; exit status 1 on a
// violation, with what it takes to replay it.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const OPTIONS = { seed: 'FUZZ_SEED', scripts: 'FUZZ_SCRIPTS', sequences: 'FUZZ_SEQUENCES', ops: 'FUZZ_OPS', 'step-cap': 'FUZZ_STEP_CAP', only: 'FUZZ_ONLY' };
const env = { ...process.env };
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i++) {
  const m = /^--([a-z-]+)(?:=(.*))?$/.exec(args[i]);
  const key = m && OPTIONS[m[1]];
  if (!key) {
    console.error(`fuzz: unknown option ${args[i]} (options: ${Object.keys(OPTIONS).map((o) => `--${o}`).join(' ')})`);
    process.exit(2);
  }
  env[key] = m[2] ?? args[++i] ?? '';
}
const cli = fileURLToPath(new URL('../tests/fuzz/cli.ts', import.meta.url));
const r = spawnSync(process.execPath, ['--import', 'tsx', cli], { stdio: 'inherit', env });
process.exit(r.status ?? 1);
