/**
 * fast-check generators of valid scenario ASTs (commands without line/col/text), for the
 * round-trip property and as seeds for the fuzzer. They follow the grammar's edges on
 * purpose: dotted task names, paths with dots and `=`, strings with quotes, backslashes,
 * newlines and `#`, numbers up to the limits, addresses above 2^53.
 */
import fc from 'fast-check';
import { trimBlanks } from '../../src/scenario/lexer';
import type { Addr, Command, ExpectExpr, ExpectValue, FdRef, Prot, Value } from '../../src/scenario/ast';
import {
  CGROUP_FIELDS, ERRNO_NAMES, FILESYSTEMS, LAST_FIELDS, MADVISE_ADVICE, MAP_FLAGS, MAX_CPUS,
  MAX_ACCESS_SIZE, MAX_FD, MAX_REPEAT, MAX_SIZE, MEMINFO_FIELDS, MSHARE_FIELDS, MSHARE_FLAVOURS, OPERATORS, SHMEM_THP_MODES,
  POLICY_VALUES, RESERVED_TASK_NAMES, SIGNAL_NAMES, STATUS_FIELDS, TASK_STATES, TOUCH_ACCESS,
  UFFD_MODES,
} from '../../src/scenario/constants';

/** A command as generated: no position yet. */
export type Bare = Command extends infer C ? (C extends Command ? Omit<C, 'line' | 'col' | 'text'> : never) : never;

const LETTER = [...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_'];
const DIGIT = [...'0123456789'];

/** `first` then pieces; `{i}` is one piece so it is never split. */
function ident(rest: string[], inRepeat: boolean, max = 8): fc.Arbitrary<string> {
  const piece = inRepeat ? fc.oneof(fc.constantFrom(...rest), fc.constant('{i}')) : fc.constantFrom(...rest);
  return fc.tuple(fc.constantFrom(...LETTER), fc.array(piece, { maxLength: max })).map(([f, r]) => f + r.join(''));
}

export const taskName = (inRepeat: boolean) =>
  ident([...LETTER, ...DIGIT, '.', '-'], inRepeat).filter((n) => !(RESERVED_TASK_NAMES as readonly string[]).includes(n));
export const label = (inRepeat: boolean) => ident([...LETTER, ...DIGIT], inRepeat).filter((n) => n !== 'auto');

/** Absolute paths with the characters a word may hold (no blanks, `"`, `#`). */
export const path = (inRepeat: boolean) => {
  const chars = [...'abcxyz019/._-=:,+{}é\u00a0'];
  const piece = inRepeat ? fc.oneof(fc.constantFrom(...chars), fc.constant('{i}')) : fc.constantFrom(...chars);
  return fc.array(piece, { maxLength: 20 }).map((p) => `/${p.join('')}`).filter((p) => inRepeat || !p.includes('{i}'));
};

const K = 1024;
export const size = fc.oneof(
  fc.integer({ min: 0, max: 1 << 20 }),
  fc.integer({ min: 0, max: MAX_SIZE / 4096 }).map((n) => n * 4096),
  fc.constantFrom(0, K, 4 * K, 2 * K * K, 2 ** 30, 2 ** 39, MAX_SIZE),
);

/** Sizes `touch`, `gup` and `mmap ... populate` accept: at most MAX_ACCESS_SIZE. */
export const accessSize = size.filter((n) => n <= MAX_ACCESS_SIZE);

/** Integers a double holds exactly, below 2^64: every safe integer and page multiples. */
export const bigExact = fc.oneof(
  fc.maxSafeNat(),
  fc.bigInt({ min: 0n, max: 2n ** 52n - 1n }).map((n) => Number(n * 4096n)),
);

export const addr = (inRepeat: boolean, auto = false): fc.Arbitrary<Addr> => fc.oneof(
  bigExact.map((value) => ({ kind: 'num' as const, value })),
  fc.tuple(label(inRepeat), fc.oneof(fc.constant(0), size)).map(([l, offset]) => ({ kind: 'label' as const, label: l, offset })),
  ...(auto ? [fc.constant({ kind: 'auto' as const })] : []),
);

export const prot: fc.Arbitrary<Prot> = fc.record({ r: fc.boolean(), w: fc.boolean(), x: fc.boolean() });
export const fd = (inRepeat: boolean): fc.Arbitrary<FdRef> => fc.oneof(
  fc.integer({ min: 0, max: MAX_FD }).map((value) => ({ kind: 'num' as const, value })),
  label(inRepeat).map((name) => ({ kind: 'name' as const, name })),
);
const anyString = fc.oneof(fc.string({ maxLength: 30 }), fc.string({ unit: 'binary', maxLength: 30 }));
export const value: fc.Arbitrary<Value> = fc.oneof(
  fc.maxSafeNat().map((v) => ({ kind: 'num' as const, value: v })),
  anyString.map((v) => ({ kind: 'str' as const, value: v })),
);

const op = fc.constantFrom(...OPERATORS);
const opt = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
/** Drops keys whose value is undefined: the parser leaves absent options absent. */
function compact<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

const lastValue: fc.Arbitrary<[(typeof OPERATORS)[number], ExpectValue]> = fc.oneof(
  fc.tuple(op, bigExact.map((v) => ({ kind: 'num' as const, value: v }))),
  fc.tuple(fc.constantFrom('==' as const, '!=' as const), fc.oneof(
    fc.constantFrom(...ERRNO_NAMES).map((name) => ({ kind: 'errno' as const, name })),
    fc.constantFrom(...SIGNAL_NAMES).map((name) => ({ kind: 'signal' as const, name })),
    anyString.map((v) => ({ kind: 'str' as const, value: v })),
  )),
);

export const expectExpr = (r: boolean): fc.Arbitrary<ExpectExpr> => fc.oneof(
  fc.record({ kind: fc.constant('status' as const), task: taskName(r), field: fc.constantFrom(...STATUS_FIELDS), op, value: bigExact }),
  fc.record({ kind: fc.constant('meminfo' as const), field: fc.constantFrom(...MEMINFO_FIELDS), op, value: bigExact }),
  fc.tuple(taskName(r), fc.constantFrom(...TASK_STATES), fc.constantFrom(...SIGNAL_NAMES), fc.boolean()).map(
    ([task, state, sig, withSig]) => compact({ kind: 'state' as const, task, state, signal: state === 'killed' && withSig ? sig : undefined }),
  ),
  fc.tuple(opt(fc.constantFrom(...LAST_FIELDS)), lastValue).map(([field, [o, v]]) => compact({ kind: 'last' as const, field, op: o, value: v })),
  fc.record({
    kind: fc.constant('page' as const), same: fc.boolean(),
    a: fc.record({ task: taskName(r), addr: addr(r) }), b: fc.record({ task: taskName(r), addr: addr(r) }),
  }),
  fc.record({ kind: fc.constant('cgroup' as const), name: taskName(r), field: fc.constantFrom(...CGROUP_FIELDS), op, value: bigExact }),
  fc.record({ kind: fc.constant('mshare' as const), path: path(r), field: fc.constantFrom(...MSHARE_FIELDS), op, value: bigExact }),
);

/** Every command but machine, chapter and repeat; `r` = inside a repeat body. */
export const simpleCommand = (r: boolean): fc.Arbitrary<Bare> => {
  const t = taskName(r);
  const policy = fc.record(
    Object.fromEntries(Object.entries(POLICY_VALUES).map(([k, v]) => [k, fc.constantFrom(...v)])),
    { requiredKeys: [] },
  ).filter((s) => Object.keys(s).length > 0);
  const cmds: fc.Arbitrary<Bare>[] = [
    policy.map((settings) => ({ kind: 'policy', settings })),
    t.map((name) => ({ kind: 'spawn', name })),
    fc.tuple(t, opt(t)).map(([task, child]) => compact({ kind: 'fork' as const, task, child })),
    fc.tuple(t, opt(t)).map(([task, child]) => compact({ kind: 'thread' as const, task, child })),
    t.map((task) => ({ kind: 'exit', task })),
    fc.record({
      task: t, addr: addr(r, true), size, prot, flags: fc.shuffledSubarray([...MAP_FLAGS], { minLength: 1 }),
      src: opt(fc.oneof(fd(r).map((f) => ({ fd: f })), path(r).map((p) => ({ file: p })))),
      off: opt(size), label: opt(label(r)),
    }).map(({ src, ...m }) => compact({ kind: 'mmap' as const, ...m, ...src }))
      .map((m) => (m.flags.includes('populate') && m.size > MAX_ACCESS_SIZE ? { ...m, size: m.size % (MAX_ACCESS_SIZE + 1) } : m)),
    fc.record({ kind: fc.constant('munmap' as const), task: t, addr: addr(r), size }),
    fc.record({ kind: fc.constant('mprotect' as const), task: t, addr: addr(r), size, prot }),
    fc.record({ kind: fc.constant('madvise' as const), task: t, addr: addr(r), size, advice: fc.constantFrom(...MADVISE_ADVICE) }),
    fc.tuple(t, addr(r), opt(size)).map(([task, a, s]) => compact({ kind: 'read' as const, task, addr: a, size: s })),
    fc.record({ kind: fc.constant('write' as const), task: t, addr: addr(r), value }),
    fc.record({ kind: fc.constant('touch' as const), task: t, addr: addr(r), size: accessSize, access: fc.constantFrom(...TOUCH_ACCESS) }),
    fc.tuple(t, opt(fc.integer({ min: 0, max: MAX_CPUS - 1 }))).map(([task, cpu]) => compact({ kind: 'run' as const, task, cpu })),
    fc.record({ kind: fc.constant('file' as const), path: path(r), size }),
    fc.tuple(t, opt(size)).map(([name, limit]) => compact({ kind: 'cgroup' as const, name, limit })),
    fc.record({ kind: fc.constant('join' as const), task: t, cgroup: t }),
    fc.record({ kind: fc.constant('mount' as const), fs: fc.constantFrom(...FILESYSTEMS), path: path(r) }),
    fc.tuple(t, path(r), fc.boolean(), opt(fd(r))).map(([task, p, create, f]) => compact({ kind: 'open' as const, task, path: p, create, fd: f })),
    fc.record({ kind: fc.constant('close' as const), task: t, fd: fd(r) }),
    fc.record({ kind: fc.constant('ftruncate' as const), task: t, fd: fd(r), size }),
    fc.tuple(t, fd(r), size, size, prot, opt(path(r)), fc.boolean()).map(([task, f, offset, s, p, file, hugetlb]) =>
      compact({ kind: 'ioctl_create_mapping' as const, task, fd: f, offset, size: s, prot: p, file, hugetlb })),
    fc.record({ kind: fc.constant('ioctl_unmap' as const), task: t, fd: fd(r), offset: size, size }),
    fc.record({ kind: fc.constant('mshare_info' as const), task: t, fd: fd(r) }),
    fc.record({ kind: fc.constant('unlink' as const), path: path(r) }),
    fc.record({ kind: fc.constant('gup' as const), task: t, addr: addr(r), size: accessSize, write: fc.boolean() }),
    fc.record({ kind: fc.constant('unpin' as const), task: t, addr: addr(r), size }),
    fc.record({ kind: fc.constant('uffd_register' as const), task: t, addr: addr(r), size, mode: fc.constantFrom(...UFFD_MODES) }),
    fc.record({ kind: fc.constant('uffd_copy' as const), task: t, addr: addr(r), value }),
    expectExpr(r).map((expr) => ({ kind: 'expect', expr })),
    anyString.map((caption) => ({ kind: 'note', caption })),
  ];
  return fc.oneof(...cmds);
};

export const machine: fc.Arbitrary<Bare> = fc.record({
  ram: fc.integer({ min: 8, max: 2048 }).map((n) => n * 2 * 1024 * 1024),
  cpus: fc.integer({ min: 1, max: 64 }),
  tlb: fc.integer({ min: 3, max: 12 }).map((n) => 2 ** n),
  pcid: fc.boolean(),
  pti: fc.boolean(),
  shmem_thp: fc.constantFrom(...SHMEM_THP_MODES),
  levels: fc.constantFrom(4 as const, 5 as const),
  mshare: fc.constantFrom(...MSHARE_FLAVOURS),
}, { requiredKeys: [] })
  // pti=on with pcid=off is a parse error (PTI needs PCID here)
  .filter((o) => !(o.pti && o.pcid === false))
  .map((options) => ({ kind: 'machine', options }));

/** A chapter title: one line, no blanks at either end. */
const title = fc.string({ unit: 'binary', minLength: 1, maxLength: 30 })
  .filter((s) => !s.includes('\n') && trimBlanks(s) === s && s.length > 0);

export const command: fc.Arbitrary<Bare> = fc.oneof(
  { arbitrary: simpleCommand(false), weight: 8 },
  { arbitrary: fc.tuple(fc.integer({ min: 1, max: MAX_REPEAT }), simpleCommand(true)).map(([count, body]) => ({ kind: 'repeat', count, body }) as Bare), weight: 2 },
  { arbitrary: title.map((t) => ({ kind: 'chapter', title: t }) as Bare), weight: 1 },
);

/** A script: an optional machine first, then up to `max` commands. */
export const script = (max = 25): fc.Arbitrary<Bare[]> =>
  fc.tuple(fc.option(machine, { nil: undefined }), fc.array(command, { maxLength: max }))
    .map(([m, cmds]) => (m ? [m, ...cmds] : cmds));

/** Gives a bare command the position fields printCommand's type asks for (unused by it). */
export function placed(c: Bare): Command {
  const pos = { line: 0, col: 0, text: '' };
  if (c.kind === 'repeat') return { ...pos, ...c, body: placed(c.body as Bare) } as Command;
  return { ...pos, ...c } as Command;
}
