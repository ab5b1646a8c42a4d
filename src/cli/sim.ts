/**
 * `npm run sim -- FILE [--json]`: run a scenario headless and print its report.
 *
 * Exit status (SCENARIO.md): 0 = parsed, ran, every expect held; 1 = an expect failed;
 * 2 = the script could not be parsed or the machine could not be built (FILE:LINE:COL:
 * message on stderr, nothing runs), or the CLI itself failed. No stack trace ever reaches
 * the user: everything is wrapped, and a bug prints `sim: internal error: <message>`.
 *
 * `--json` prints only the JSON report on stdout. `builtin:NAME` runs a built-in scenario.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { formatError, visible } from '../scenario/parser';
import { Runner } from '../scenario/runner';
import { buildReport, textReport } from '../scenario/report';
import { BUILTINS, findBuiltin } from '../scenario/builtins/index';
import { decodeScriptFile } from '../scenario/script-file';

const USAGE = `usage: npm run sim -- FILE|builtin:NAME [--json]
       npm run sim -- --list
  FILE           a scenario (.msh) to run; prints a /proc-style report
  builtin:NAME   a built-in scenario (see --list)
  --json         print the JSON report of SCENARIO.md on stdout, nothing else
  --list         list the built-in scenarios
  --help         this text
exit status: 0 every expect held, 1 an expect failed, 2 parse error or bad machine`;

function die(msg: string): number {
  process.stderr.write(`sim: ${visible(msg)}\n`);
  return 2;
}

function main(argv: string[]): number {
  let json = false;
  let target: string | null = null;
  for (const a of argv) {
    if (a === '--json') json = true;
    else if (a === '--help' || a === '-h') {
      process.stdout.write(USAGE + '\n');
      return 0;
    } else if (a === '--list') {
      for (const b of BUILTINS) process.stdout.write(`builtin:${b.id.padEnd(28)} ${b.title}\n`);
      return 0;
    } else if (a.startsWith('-') && a !== '-') return die(`unknown option '${a}'\n${USAGE}`);
    else if (target !== null) return die(`one scenario at a time ('${target}' and '${a}')`);
    else target = a;
  }
  if (target === null) return die(`no scenario given\n${USAGE}`);

  let source: string;
  const file = target;
  if (target.startsWith('builtin:')) {
    const b = findBuiltin(target.slice('builtin:'.length));
    if (!b) return die(`no built-in scenario '${target.slice(8)}' (try --list)`);
    source = b.source;
  } else {
    let bytes: Uint8Array;
    try {
      // `npm run sim` runs in the package's directory; INIT_CWD is where the user typed it.
      bytes = readFileSync(target === '-' ? 0 : resolve(process.env.INIT_CWD ?? process.cwd(), target));
    } catch (e) {
      return die(`cannot read ${target}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    // A binary file is refused as the browser's Open script… refuses it (not one "unknown
    // verb" per line of bytes).
    const got = decodeScriptFile(bytes);
    if (!('text' in got)) {
      process.stderr.write(formatError({ file, line: got.line, col: got.col, message: got.message }) + '\n');
      return 2;
    }
    source = got.text;
  }

  // The CLI never goes back in time: one checkpoint (step 0), no trace ring, no step records.
  const built = Runner.fromSource(source, file, { checkpointEvery: 0, recordTrace: false, keepRecords: false });
  if (!built.ok) {
    for (const e of built.errors) process.stderr.write(formatError(e) + '\n');
    return 2;
  }
  const runner = built.runner;
  runner.runToEnd();
  const rep = buildReport(runner);
  // JSON.stringify escapes control characters; the text report quotes script text as it is.
  process.stdout.write(json ? JSON.stringify(rep, null, 2) + '\n' : visible(textReport(rep, file)));
  return rep.ok ? 0 : 1;
}

function internal(e: unknown): never {
  const msg = e instanceof Error ? e.message : String(e);
  try {
    process.stderr.write(`sim: internal error: ${msg}\n`);
  } finally {
    process.exit(2);
  }
}

// A reader that stops early (`sim ... --json | head`) closes the pipe: the report was made,
// the rest is unwanted, not an error. Exit quietly with the status the run earned.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
  internal(e);
});
process.on('uncaughtException', internal);
process.on('unhandledRejection', internal);
try {
  process.exitCode = main(process.argv.slice(2));
} catch (e) {
  internal(e);
}
