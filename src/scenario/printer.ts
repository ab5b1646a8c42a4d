/**
 * Canonical text of a Script or a Command: parseScript(printScript(s)) gives back the same
 * commands (positions and `text` aside). Used by the UI to record actions as lines, by
 * permalinks, and by the round-trip property test.
 *
 * Canonical choices: one space between arguments; `NAME: verb`; addresses in hex; sizes
 * with the largest exact K/M/G/T suffix; counts and values in decimal; defaults that the
 * parser fills in (mount path, uffd mode `missing`) omitted; notes and chapter titles bare unless
 * quoting is needed to read them back.
 */
import type { Addr, Command, ExpectExpr, ExpectValue, FdRef, Prot, Script, Value } from './ast';
import { DEFAULT_MSHARE_PATH, MACHINE_KEYS, POLICY_KEYS, SIZE_SUFFIXES } from './constants';
import { quote } from './lexer';

const SUFFIXES = (Object.entries(SIZE_SUFFIXES) as [string, number][]).reverse(); // T, G, M, K

/**
 * Decimal digits of an integer. Above 2^53 String() may print a shorter neighbour
 * (2^64 - 2048 as 18446744073709550000) that the parser would reject as inexact.
 */
export function formatDec(n: number): string {
  return Number.isSafeInteger(n) ? String(n) : BigInt(n).toString();
}

/** `64M`, `1536K`, `4097`. */
export function formatSize(n: number): string {
  if (n !== 0) {
    for (const [s, unit] of SUFFIXES) if (n % unit === 0) return `${formatDec(n / unit)}${s}`;
  }
  return formatDec(n);
}

/** `0x7f0000000000`. */
export function formatHex(n: number): string {
  return `0x${n.toString(16)}`;
}

function addr(a: Addr): string {
  if (a.kind === 'auto') return 'auto';
  if (a.kind === 'num') return formatHex(a.value);
  return a.offset === 0 ? a.label : `${a.label}+${formatSize(a.offset)}`;
}

function prot(p: Prot): string {
  const s = `${p.r ? 'r' : ''}${p.w ? 'w' : ''}${p.x ? 'x' : ''}`;
  return s === '' ? 'none' : s;
}

function fd(f: FdRef): string {
  return f.kind === 'num' ? String(f.value) : f.name;
}

function value(v: Value): string {
  return v.kind === 'str' ? quote(v.value) : formatDec(v.value);
}

/**
 * A note or chapter title reads back bare if it has no `#`, `"` or line break and no blank
 * at either end; otherwise it is written as one quoted string.
 */
function captionText(t: string): string {
  return /^[^\s"#](?:[^"#\n\r]*[^\s"#])?$/.test(t) ? t : quote(t);
}

/** `[...parts]` joined by one space, dropping absent optional parts. */
function words(...parts: (string | false | undefined)[]): string {
  return parts.filter((p): p is string => typeof p === 'string').join(' ');
}

export function printScript(script: Script): string {
  return script.commands.map(printCommand).join('\n') + (script.commands.length > 0 ? '\n' : '');
}

export function printCommand(c: Command): string {
  const t = (verb: string, ...rest: (string | false | undefined)[]) => words(`${(c as { task: string }).task}:`, verb, ...rest);
  switch (c.kind) {
    case 'machine': {
      const o = c.options;
      const parts = MACHINE_KEYS.filter((k) => o[k] !== undefined).map((k) => {
        const v = o[k];
        if (k === 'ram') return `ram=${formatSize(v as number)}`;
        if (k === 'pcid' || k === 'pti') return `${k}=${v ? 'on' : 'off'}`;
        return `${k}=${v}`;
      });
      return words('machine', ...parts);
    }
    case 'policy':
      return words('policy', ...POLICY_KEYS.filter((k) => c.settings[k] !== undefined).map((k) => `${k}=${c.settings[k]}`));
    case 'spawn': return words('spawn', c.name);
    case 'fork': return t('fork', c.child !== undefined && `as ${c.child}`);
    case 'thread': return t('thread', c.child !== undefined && `as ${c.child}`);
    case 'exit': return t('exit');
    case 'mmap':
      return t('mmap', addr(c.addr), formatSize(c.size), prot(c.prot), c.flags.join(','),
        c.fd && `fd=${fd(c.fd)}`, c.file !== undefined && `file=${c.file}`,
        c.off !== undefined && `off=${formatSize(c.off)}`, c.label !== undefined && `as ${c.label}`);
    case 'munmap': return t('munmap', addr(c.addr), formatSize(c.size));
    case 'mprotect': return t('mprotect', addr(c.addr), formatSize(c.size), prot(c.prot));
    case 'madvise': return t('madvise', addr(c.addr), formatSize(c.size), c.advice);
    case 'read': return t('read', addr(c.addr), c.size !== undefined && formatSize(c.size));
    case 'write': return t('write', addr(c.addr), value(c.value));
    case 'touch': return t('touch', addr(c.addr), formatSize(c.size), c.access);
    case 'run': return t('run', c.cpu !== undefined && `cpu=${c.cpu}`);
    case 'file': return words('file', c.path, formatSize(c.size));
    case 'cgroup': return words('cgroup', c.name, c.limit !== undefined && `limit=${formatSize(c.limit)}`);
    case 'join': return t('join', c.cgroup);
    case 'mount': return words('mount', c.fs, c.path !== DEFAULT_MSHARE_PATH && c.path);
    case 'open': return t('open', c.path, c.create && 'create', c.fd && `as ${fd(c.fd)}`);
    case 'close': return t('close', fd(c.fd));
    case 'ftruncate': return t('ftruncate', fd(c.fd), formatSize(c.size));
    case 'ioctl_create_mapping':
      return t('ioctl', fd(c.fd), 'create_mapping', formatSize(c.offset), formatSize(c.size), prot(c.prot),
        c.file !== undefined && `file=${c.file}`, c.hugetlb && 'hugetlb');
    case 'ioctl_unmap': return t('ioctl', fd(c.fd), 'unmap', formatSize(c.offset), formatSize(c.size));
    case 'mshare_info': return t('mshare_info', fd(c.fd));
    case 'unlink': return words('unlink', c.path);
    case 'gup': return t('gup', addr(c.addr), formatSize(c.size), c.write && 'write');
    case 'unpin': return t('unpin', addr(c.addr), formatSize(c.size));
    case 'uffd_register': return t('uffd', 'register', addr(c.addr), formatSize(c.size), c.mode !== 'missing' && c.mode);
    case 'uffd_copy': return t('uffd', 'copy', addr(c.addr), value(c.value));
    // A templated body ({i} in a number) is printed as it was written.
    case 'repeat': return `repeat ${c.count}: ${c.template ? c.template.text.trim() : printCommand(c.body)}`;
    case 'expect': return `expect ${printExpect(c.expr)}`;
    case 'note': return `note ${captionText(c.caption)}`;
    case 'chapter': return `## ${captionText(c.title)}`;
  }
}

/** The EXPR of `expect EXPR`. */
export function printExpect(e: ExpectExpr): string {
  switch (e.kind) {
    case 'status': return `${e.task}.${e.field} ${e.op} ${formatSize(e.value)}`;
    case 'meminfo': {
      const v = e.field.startsWith('HugePages_') ? formatDec(e.value) : formatSize(e.value);
      return `meminfo.${e.field} ${e.op} ${v}`;
    }
    case 'state': return words(e.task, e.state, e.signal);
    case 'last': return `${e.field === undefined ? 'last' : `last.${e.field}`} ${e.op} ${lastValue(e.field, e.value)}`;
    case 'page':
      return `${e.same ? 'same-page' : 'different-page'} ${e.a.task}:${addr(e.a.addr)} ${e.b.task}:${addr(e.b.addr)}`;
    case 'cgroup': return `cgroup.${e.name}.${e.field} ${e.op} ${formatSize(e.value)}`;
    case 'mshare': {
      const v = e.field === 'sharers' ? formatDec(e.value) : formatSize(e.value);
      return `mshare.${e.path}.${e.field} ${e.op} ${v}`;
    }
  }
}

function lastValue(field: string | undefined, v: ExpectValue): string {
  switch (v.kind) {
    case 'num':
      if (field === 'addr' || field === 'start') return formatHex(v.value);
      return field === 'size' ? formatSize(v.value) : formatDec(v.value);
    case 'errno': return v.name;
    case 'signal': return v.name;
    case 'str': return quote(v.value);
  }
}
