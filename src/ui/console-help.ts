/**
 * What the console prints for `help` (or `?`): every verb of the scenario language with its
 * syntax on one line (SCENARIO.md has the meanings). The verbs and their word lists come
 * from the language's constants; keyed by the verb types, a new verb without a line here is
 * a type error rather than a silent gap.
 */
import {
  FILESYSTEMS, GLOBAL_VERBS, MACHINE_KEYS, MADVISE_ADVICE, POLICY_KEYS, POLICY_VALUES, TASK_VERBS, TOUCH_ACCESS, UFFD_MODES,
  type GlobalVerb, type TaskVerb,
} from '../scenario/constants';

const SYNTAX: Record<GlobalVerb | TaskVerb, string> = {
  machine: `machine KEY=VALUE ...   (first line only; ${MACHINE_KEYS.join(', ')})`,
  policy: `policy ${POLICY_KEYS.map((k) => `${k}=${POLICY_VALUES[k].join('|')}`).join(' ')}`,
  spawn: 'spawn NAME',
  file: 'file PATH SIZE',
  cgroup: 'cgroup NAME [limit=SIZE]',
  mount: `mount ${FILESYSTEMS.join('|')} [PATH]`,
  unlink: 'unlink PATH',
  repeat: 'repeat N: COMMAND   ({i} counts 1..N)',
  expect: 'expect EXPR',
  note: 'note TEXT',
  fork: 'NAME: fork [as CHILD]',
  thread: 'NAME: thread [as T]',
  exit: 'NAME: exit',
  mmap: 'NAME: mmap ADDR|auto SIZE PROT FLAGS [fd=F|file=PATH] [off=N] [as LABEL]',
  munmap: 'NAME: munmap ADDR SIZE',
  mprotect: 'NAME: mprotect ADDR SIZE PROT',
  madvise: `NAME: madvise ADDR SIZE ${MADVISE_ADVICE.join('|')}`,
  read: 'NAME: read ADDR [SIZE]',
  write: 'NAME: write ADDR VALUE',
  touch: `NAME: touch ADDR SIZE ${TOUCH_ACCESS.join('|')}`,
  run: 'NAME: run [cpu=N]',
  join: 'NAME: join CGROUP',
  open: 'NAME: open PATH [create] [as F]',
  close: 'NAME: close F',
  ftruncate: 'NAME: ftruncate F SIZE',
  ioctl: 'NAME: ioctl F create_mapping OFFSET SIZE PROT | unmap OFFSET SIZE',
  mshare_info: 'NAME: mshare_info F',
  gup: 'NAME: gup ADDR SIZE [write]',
  unpin: 'NAME: unpin ADDR SIZE',
  uffd: `NAME: uffd register ADDR SIZE [${UFFD_MODES.join('|')}] | copy ADDR VALUE`,
};

/** `help` and `?`: the console answers these itself; they never reach the script. */
export const isHelp = (text: string): boolean => /^(help|\?)$/i.test(text.trim());

export function helpLines(): string[] {
  return [
    'Scenario commands (Tab completes; SCENARIO.md explains each):',
    ...[...GLOBAL_VERBS, ...TASK_VERBS].map((v) => `  ${SYNTAX[v]}`),
  ];
}
