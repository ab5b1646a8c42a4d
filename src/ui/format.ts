/** Number formatting the views share: addresses in hex, sizes like the kernel prints them. */
import { formatSize } from '../scenario/printer';

export function hex(n: number, pad = 0): string {
  return '0x' + Math.floor(n).toString(16).padStart(pad, '0');
}

/**
 * mm_cpumask from its CPU list, as an unsigned hex mask: [1, 31] -> "0x80000002", CPU 63 ->
 * "0x8000000000000000". Built with BigInt: a JS number cannot hold 64 bits, and `1 << 31`
 * is negative.
 */
export function cpumaskHex(cpus: readonly number[]): string {
  let mask = 0n;
  for (const c of cpus) mask |= 1n << BigInt(c);
  return '0x' + mask.toString(16);
}

/**
 * A count as the page prints every count: 12043 -> "12,043" (the timeline said "step 100044 /
 * 100044" and "100009 errors" while presenter mode said "12,043").
 */
export function count(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** 4096 -> "4K", 2097152 -> "2M", 1536 -> "1.5K"; bytes below 1K stay bytes. */
export function size(bytes: number): string {
  const units = ['', 'K', 'M', 'G', 'T', 'P'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  const s = v >= 100 || Number.isInteger(v) ? String(Math.round(v)) : v.toFixed(1);
  return s + units[i];
}

/**
 * Axis ticks for a byte count from 0 to `max`: a power-of-two step (1K, 2K, 4K, 8K ... 64M,
 * 128M ...), the smallest that needs at most `count` ticks above zero, so labels read "8K 16K
 * 24K" or "64M 128M 192M" rather than decimal fractions of binary units ("9.8K 19.5K").
 * `top` (the axis end) is the first multiple of `step` at or above `max`.
 */
export function binaryTicks(max: number, count = 4): { top: number; step: number; ticks: number[] } {
  const m = Number.isFinite(max) && max > 0 ? max : 1;
  const n = Math.max(1, Math.floor(count));
  let step = 2 ** Math.max(0, Math.ceil(Math.log2(m / n)));
  // log2 rounding: never more than `count` ticks above zero, and no coarser step than needed.
  while (Math.ceil(m / step) > n) step *= 2;
  while (step > 1 && Math.ceil(m / (step / 2)) <= n) step /= 2;
  const k = Math.max(1, Math.ceil(m / step));
  return { top: k * step, step, ticks: Array.from({ length: k + 1 }, (_, i) => i * step) };
}

/** Bytes as /proc prints them: "1234 kB". */
export function kB(bytes: number): string {
  return `${Math.round(bytes / 1024).toLocaleString('en-US')} kB`;
}

/** Bytes in kB as /proc prints them (`>> 10`: truncated, so a Pss of 2,730 bytes is 2 kB). */
export function procKB(bytes: number): string {
  return `${Math.floor(bytes / 1024).toLocaleString('en-US')} kB`;
}

export function plural(n: number, one: string, many = one + 's'): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

/** A scenario ADDR for a number: hex. */
export function addrArg(n: number): string {
  return hex(n);
}

/**
 * A scenario ADDR for a VMA of `vmas` (one mm's, sorted): its label when the label names it,
 * else hex. A split leaves the label on every piece and the name means the lowest piece
 * (Kernel.labelAddr), so a higher piece is `label+OFFSET`, not the bare label.
 */
export function vmaAddrArg(vmas: readonly VmaLike[], vma: VmaLike): string {
  if (!vma.label) return hex(vma.startNum);
  const lowest = vmas.find((v) => v.label === vma.label) ?? vma;
  const off = vma.startNum - lowest.startNum;
  return off > 0 ? `${vma.label}+${formatSize(off)}` : vma.label;
}

interface VmaLike {
  label: string | null;
  startNum: number;
}
