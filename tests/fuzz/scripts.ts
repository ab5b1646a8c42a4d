/**
 * Scenario scripts for the runner fuzzer (fast-check arbitraries, pure text).
 *
 * Three sources, mixed by the fuzzer:
 * - `story`: scripts that mean something: a small cast of task names, labels, files and
 *   mshare regions that the commands keep referring to, so forks, mmaps, faults, region
 *   attaches, policies and exits actually happen (random names would only give ESRCH). Sizes
 *   run from 1 byte to the 128T limit, addresses from 0 to beyond the 5-level space.
 * - `mutated`: a story or a built-in scenario after a few random edits (delete, insert a
 *   token, replace a character, swap or repeat lines, cut), which mostly still parses.
 * - `soup`: token soup and arbitrary text (mostly positioned parse errors).
 */
import fc from 'fast-check';
import { BUILTINS } from '../../src/scenario/builtins';
import { VERBS } from '../../src/scenario/constants';

const TASKS = ['a', 'b', 'c', 'd', 'e'];
const LABELS = ['x', 'y', 'z', 'sga'];
const FILES = ['/f', '/g', '/dev/hugepages/h', '/sys/fs/mshare/r0', '/sys/fs/mshare/r1', '/sys/fs/mshare', '/nope/q'];
const REGIONS = ['/sys/fs/mshare/r0', '/sys/fs/mshare/r1'];
const FDS = ['F', 'G', '3', '0', '99'];
/** Sizes: everyday ones often, boundaries and the extremes sometimes. */
const SIZE = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom('4K', '8K', '64K', '1M', '2M', '4M', '16M') },
  { weight: 2, arbitrary: fc.constantFrom('0', '1', '4095', '4097', '2M', '6M', '64M', '1G', '512G') },
  { weight: 1, arbitrary: fc.constantFrom('4G', '8G', '1T', '64T', '128T', '1024G', '0x1000', '12345') },
);
const SMALL_SIZE = fc.constantFrom('4K', '8K', '64K', '1M', '2M', '4M');
const ADDR_NUM = fc.constantFrom(
  '0', '4096', '0x10000000', '0x40000000', '0x10000000000', '0x20000000000', '0x7f0000000000',
  '0x7ffffffff000', '0x800000000000', '0xff00000000000000', '0x1fffffffffffff', '0x123',
  '0xffffe00000', // 2 MiB below the 1 TiB region start: a fixed mmap there may straddle the region
);
const ADDR = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(fc.constantFrom(...LABELS), fc.constantFrom('', '', '+4K', '+2M', '+8M', '+512G', '+60M')).map(([l, o]) => l + o) },
  { weight: 2, arbitrary: ADDR_NUM },
);
const PROT = fc.constantFrom('rw', 'rw', 'r', 'rwx', 'none', 'w', 'x', 'rx');
const FLAGS = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('private,anon', 'shared,anon', 'shared', 'private') },
  { weight: 3, arbitrary: fc.subarray(['private', 'shared', 'anon', 'fixed', 'populate', 'hugetlb', 'noreserve'], { minLength: 1 }).map((f) => f.join(',')) },
);
const T = fc.constantFrom(...TASKS);
const opt = (a: fc.Arbitrary<string>) => fc.option(a, { nil: '' });

/** One command line (no repeat, no machine line). `r`: inside a repeat body ({i} allowed). */
function command(r: boolean): fc.Arbitrary<string> {
  const task = r ? fc.oneof({ weight: 3, arbitrary: T }, { weight: 2, arbitrary: fc.constant('w{i}') }) : T;
  const child = r ? fc.oneof(T, fc.constant('w{i}')) : T;
  const size = SIZE;
  return fc.oneof(
    { weight: 3, arbitrary: task.map((t) => `spawn ${t}`) },
    { weight: 3, arbitrary: fc.tuple(T, opt(child.map((c) => ` as ${c}`))).map(([t, c]) => `${t}: fork${c}`) },
    { weight: 1, arbitrary: fc.tuple(task, opt(child.map((c) => ` as ${c}`))).map(([t, c]) => `${t}: thread${c}`) },
    { weight: 1, arbitrary: fc.tuple(task, fc.nat(3)).map(([t, n]) => (n === 0 ? `${t}: exit` : `spawn ${t}`)) },
    { weight: 1, arbitrary: fc.tuple(task, opt(fc.integer({ min: 0, max: 5 }).map((c) => ` cpu=${c}`))).map(([t, c]) => `${t}: run${c}`) },
    {
      weight: 6,
      arbitrary: fc.tuple(task, fc.oneof(fc.constant('auto'), ADDR_NUM), size, PROT, FLAGS,
        opt(fc.oneof(fc.constantFrom(...FILES).map((f) => ` file=${f}`), fc.constantFrom(...FDS).map((f) => ` fd=${f}`))),
        opt(fc.constantFrom(' off=0', ' off=4K', ' off=2M', ' off=1G')), opt(fc.constantFrom(...LABELS).map((l) => ` as ${l}`)))
        .map(([t, a, s, p, f, src, off, l]) => `${t}: mmap ${a} ${s} ${p} ${f}${src}${off}${l}`),
    },
    { weight: 2, arbitrary: fc.tuple(task, ADDR, size).map(([t, a, s]) => `${t}: munmap ${a} ${s}`) },
    { weight: 2, arbitrary: fc.tuple(task, ADDR, size, PROT).map(([t, a, s, p]) => `${t}: mprotect ${a} ${s} ${p}`) },
    { weight: 1, arbitrary: fc.tuple(task, ADDR, size).map(([t, a, s]) => `${t}: madvise ${a} ${s} ${['dontneed', 'hugepage', 'nohugepage'][s.length % 3]}`) },
    { weight: 6, arbitrary: fc.tuple(task, ADDR, fc.oneof({ weight: 5, arbitrary: SMALL_SIZE }, { weight: 1, arbitrary: size }), fc.constantFrom('read', 'write')).map(([t, a, s, w]) => `${t}: touch ${a} ${s} ${w}`) },
    { weight: 3, arbitrary: fc.tuple(task, ADDR, opt(fc.constantFrom(' 1', ' 4', ' 8', ' 9'))).map(([t, a, s]) => `${t}: read ${a}${s}`) },
    { weight: 3, arbitrary: fc.tuple(task, ADDR, fc.oneof(fc.nat(1e9).map(String), fc.constantFrom('"hello"', '"a\\"b"', '9007199254740991'))).map(([t, a, v]) => `${t}: write ${a} ${v}`) },
    { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...FILES), size).map(([f, s]) => `file ${f} ${s}`) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom('cg0', 'cg1'), opt(fc.constantFrom(' limit=64K', ' limit=1M', ' limit=16M', ' limit=0'))).map(([c, l]) => `cgroup ${c}${l}`) },
    { weight: 1, arbitrary: fc.tuple(task, fc.constantFrom('cg0', 'cg1', 'nocg')).map(([t, c]) => `${t}: join ${c}`) },
    { weight: 1, arbitrary: fc.constantFrom('mount msharefs', 'mount msharefs /sys/fs/mshare', 'mount msharefs /other') },
    { weight: 4, arbitrary: fc.tuple(task, fc.constantFrom(...REGIONS, ...FILES), fc.boolean(), opt(fc.constantFrom(' as F', ' as G', ' as 7'))).map(([t, p, c, f]) => `${t}: open ${p}${c ? ' create' : ''}${f}`) },
    { weight: 1, arbitrary: fc.tuple(task, fc.constantFrom(...FDS)).map(([t, f]) => `${t}: close ${f}`) },
    { weight: 3, arbitrary: fc.tuple(task, fc.constantFrom(...FDS), fc.constantFrom('512G', '1024G', '0', '4K', '2M', '64M', '128T')).map(([t, f, s]) => `${t}: ftruncate ${f} ${s}`) },
    {
      weight: 3,
      arbitrary: fc.tuple(task, fc.constantFrom(...FDS), fc.constantFrom('0', '4K', '2M', '1G', '512G'), size, PROT,
        opt(fc.constantFrom(' file=/f', ' file=/dev/hugepages/h', ' hugetlb', ' file=/dev/hugepages/h hugetlb')))
        .map(([t, f, o, s, p, x]) => `${t}: ioctl ${f} create_mapping ${o} ${s} ${p}${x}`),
    },
    { weight: 1, arbitrary: fc.tuple(task, fc.constantFrom(...FDS), fc.constantFrom('0', '4K', '2M'), size).map(([t, f, o, s]) => `${t}: ioctl ${f} unmap ${o} ${s}`) },
    { weight: 2, arbitrary: fc.tuple(task, fc.constantFrom(...FDS)).map(([t, f]) => `${t}: mshare_info ${f}`) },
    { weight: 1, arbitrary: fc.constantFrom(...FILES).map((f) => `unlink ${f}`) },
    { weight: 1, arbitrary: fc.tuple(task, ADDR, fc.oneof(SMALL_SIZE, size), fc.boolean()).map(([t, a, s, w]) => `${t}: gup ${a} ${s}${w ? ' write' : ''}`) },
    { weight: 1, arbitrary: fc.tuple(task, ADDR, size).map(([t, a, s]) => `${t}: unpin ${a} ${s}`) },
    { weight: 1, arbitrary: fc.tuple(task, ADDR, size, fc.constantFrom('missing', 'wp')).map(([t, a, s, m]) => `${t}: uffd register ${a} ${s} ${m}`) },
    { weight: 1, arbitrary: fc.tuple(task, ADDR, fc.nat(255)).map(([t, a, v]) => `${t}: uffd copy ${a} ${v}`) },
    {
      weight: 2,
      arbitrary: fc.tuple(opt(fc.constantFrom(' charge=faulter', ' charge=owner')), opt(fc.constantFrom(' owner_exit=keep', ' owner_exit=unmap')),
        opt(fc.constantFrom(' mprotect=global', ' mprotect=einval')), opt(fc.constantFrom(' tlb_flush=all', ' tlb_flush=sharers')))
        .map((p) => `policy${p.join('') || ' charge=owner'}`),
    },
    {
      weight: 2,
      arbitrary: fc.oneof(
        fc.tuple(task, fc.constantFrom('VmRSS', 'VmPTE', 'RssAnon', 'VmPin'), fc.constantFrom('==', '>=', '<')).map(([t, f, o]) => `expect ${t}.${f} ${o} 0`),
        fc.tuple(task, fc.constantFrom('running', 'exited', 'killed', 'killed SIGKILL', 'blocked')).map(([t, s]) => `expect ${t} ${s}`),
        fc.constantFrom('expect last == 0', 'expect last == EINVAL', 'expect last.addr > 0', 'expect meminfo.PageTables > 0', 'expect cgroup.cg0.current >= 0',
          'expect mshare./sys/fs/mshare/r0.sharers == 1', 'expect same-page a:x b:x', 'expect different-page a:x+4K c:y'),
      ),
    },
    { weight: 1, arbitrary: fc.constantFrom('note something happened', 'note "quoted # not a comment"', '## A chapter', '# a comment', '') },
  );
}

const REPEAT_COUNT = fc.oneof(
  { weight: 16, arbitrary: fc.integer({ min: 1, max: 6 }) },
  { weight: 4, arbitrary: fc.constantFrom(20, 100, 1500) },
  { weight: 1, arbitrary: fc.constantFrom(100000, 0, 100001) },
);

/** Lines; a repeat is often a fork loop followed by a loop over the children (`w{i}`). */
const line: fc.Arbitrary<string> = fc.oneof(
  { weight: 18, arbitrary: command(false) },
  { weight: 1, arbitrary: fc.tuple(REPEAT_COUNT, command(true)).map(([n, c]) => `repeat ${n}: ${c}`) },
  {
    weight: 1,
    arbitrary: fc.tuple(REPEAT_COUNT, T, command(true)).map(([n, t, c]) => `repeat ${n}: ${t}: fork as w{i}\nrepeat ${n}: ${c.replace(/^[a-e]:/, 'w{i}:')}`),
  },
);

/** A machine line; small RAM mostly (cheap to build), the default 256M without one. */
const machine = fc.option(
  fc.oneof(
    {
      weight: 12,
      arbitrary: fc.tuple(
        fc.oneof(
          { weight: 60, arbitrary: fc.constantFrom('16M', '18M', '32M', '64M', '64M', '256M') },
          { weight: 1, arbitrary: fc.constantFrom('2G', '4G') },
        ),
        opt(fc.constantFrom(' cpus=1', ' cpus=2', ' cpus=4', ' cpus=64')),
        opt(fc.constantFrom(' tlb=8', ' tlb=64', ' tlb=4096')),
        opt(fc.constantFrom(' pcid=on', ' pcid=off')),
        opt(fc.constantFrom(' pti=on', ' pti=off')),
        opt(fc.constantFrom(' shmem_thp=always', ' shmem_thp=advise')),
        opt(fc.constantFrom(' levels=4', ' levels=5')),
        opt(fc.constantFrom(' mshare=2024', ' mshare=2025')),
      ).map(([r, ...rest]) => `machine ram=${r}${rest.join('')}`),
    },
    // Out of range: a positioned error naming the limit.
    { weight: 1, arbitrary: fc.constantFrom('machine ram=15M', 'machine ram=5G', 'machine ram=3M', 'machine cpus=0', 'machine cpus=65', 'machine tlb=3', 'machine levels=3', 'machine mshare=2023') },
  ),
  { nil: undefined, freq: 6 },
);

/** A script that tells a story: a machine line, usually an mshare setup, then random lines. */
export function story(maxLines = 40): fc.Arbitrary<string> {
  const setup = fc.constantFrom<string[]>(
    [],
    ['mount msharefs', 'spawn a', 'a: open /sys/fs/mshare/r0 create as F', 'a: mmap 0x10000000000 512G rw shared fd=F as sga', 'a: mmap 0x10000000000 4M rw shared,anon,fixed'],
    ['mount msharefs', 'spawn a', 'a: open /sys/fs/mshare/r0 create as F', 'a: ftruncate F 512G', 'a: ioctl F create_mapping 0 4M rw', 'a: mmap auto 512G rw shared fd=F as sga'],
    ['spawn a', 'a: mmap auto 4M rw private,anon as x', 'a: touch x 4M write', 'a: fork as b'],
    ['spawn a', 'file /f 8M', 'a: mmap auto 8M rw shared file=/f as y', 'a: mmap 0x40000000 4M rw shared,anon,hugetlb as z'],
  );
  const cast = fc.constantFrom([], ['spawn b'], ['spawn b', 'spawn c'], ['spawn b', 'b: fork as c', 'spawn d']);
  return fc.tuple(machine, setup, cast, fc.array(line, { maxLength: maxLines, size: 'max' }))
    .map(([m, s, c, ls]) => [...(m ? [m] : []), ...s, ...(s.includes('spawn a') ? [] : ['spawn a']), ...c, ...ls].join('\n'));
}

// ------------------------------------------------------------------ mutations

/** Pieces that hit the grammar's corners more often than random characters would. */
const piece = fc.oneof(
  fc.constantFrom(...VERBS),
  fc.constantFrom(
    ' ', '\t', '\n', '\r\n', ':', '"', '\\', '#', '## ', '=', ',', '+', '{i}', '0', '1', '4096', '0x', '0x7f00', 'K', 'M', 'G', 'T',
    '64M', '128T', '512G', 'repeat 3:', 'repeat 100000:', 'expect', 'last', 'a:', 'b:', 'sga', 'x', 'auto', 'rw', 'none',
    'private,anon', 'shared', 'fixed', 'populate', 'hugetlb', 'as', 'fd=F', 'file=/f', 'cpu=', 'ram=', 'create', '__proto__',
    'constructor', '\u0000', '\u2028', '\ud800', '🙂',
  ),
  fc.string({ unit: 'binary', maxLength: 3 }),
);
export const soup = fc.array(piece, { maxLength: 50 }).map((p) => p.join(''));

type Mutation = (s: string) => string;
const at = (s: string, f: number) => Math.floor(f * (s.length + 1));
const frac = fc.double({ min: 0, max: 1, noNaN: true });
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.tuple(frac, fc.integer({ min: 1, max: 12 })).map(([f, n]): Mutation => (s) => s.slice(0, at(s, f)) + s.slice(at(s, f) + n)),
  fc.tuple(frac, piece).map(([f, p]): Mutation => (s) => s.slice(0, at(s, f)) + p + s.slice(at(s, f))),
  fc.tuple(frac, fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })).map(([f, c]): Mutation => (s) => s.slice(0, at(s, f)) + c + s.slice(at(s, f) + 1)),
  fc.tuple(fc.nat(), fc.nat()).map(([i, j]): Mutation => (s) => {
    const lines = s.split('\n');
    const a = i % lines.length;
    const b = j % lines.length;
    [lines[a], lines[b]] = [lines[b], lines[a]];
    return lines.join('\n');
  }),
  fc.nat().map((i): Mutation => (s) => {
    const lines = s.split('\n');
    const a = i % lines.length;
    return [...lines.slice(0, a + 1), lines[a], ...lines.slice(a + 1)].join('\n');
  }),
  frac.map((f): Mutation => (s) => s.slice(0, at(s, f))),
);

/**
 * Built-in scenarios with their big repeats cut down (1,500 clients become a few), so a
 * mutated database still runs in milliseconds; the step cap bounds the rest.
 */
export const builtinSources: string[] = BUILTINS.map((b) => b.source.replace(/repeat (\d+):/g, (_, n: string) => `repeat ${Math.min(Number(n), 5)}:`));

export function mutated(maxLines = 30): fc.Arbitrary<string> {
  const base = fc.oneof({ weight: 1, arbitrary: story(maxLines) }, { weight: 1, arbitrary: fc.constantFrom(...builtinSources) });
  return fc.tuple(base, fc.array(mutation, { minLength: 1, maxLength: 4 })).map(([s, ms]) => ms.reduce((acc, m) => m(acc), s));
}

/** Every source mixed: stories (4), mutations (4), soup and arbitrary text (1 each). */
export function anyScript(maxLines = 30): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: story(maxLines) },
    { weight: 4, arbitrary: mutated(maxLines) },
    { weight: 1, arbitrary: soup },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 300 }) },
  );
}
