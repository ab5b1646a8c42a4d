/** The outcome of one syscall or access, as scenario steps record it. */
import type { Errno, Signal } from '../types';

export interface SysResult {
  /** The return value: an address, a pid, an fd, a read value. */
  value: number | string | null;
  errno: Errno | null;
  /** A signal the operation delivered to the calling task (it is now dead). */
  signal: Signal | null;
  addr?: number;
  start?: number;
  size?: number;
  /** A read's bytes as UTF-8 text up to the first NUL. */
  text?: string;
  /** The task went to sleep (userfaultfd) and will finish when woken. */
  blocked?: boolean;
  /** Human-readable detail for errors: why the errno, in one line. */
  detail?: string;
}

export function ok(value: number | string | null = 0, extra: Partial<SysResult> = {}): SysResult {
  return { value, errno: null, signal: null, ...extra };
}

export function err(errno: Errno, detail?: string): SysResult {
  return { value: null, errno, signal: null, detail };
}

export function sig(signal: Signal, detail?: string): SysResult {
  return { value: null, errno: null, signal, detail };
}

/**
 * Why the last errno. Helpers deep in a syscall (mmap's checks, msharefs, range checks) return
 * a bare Errno; they record the reason here with `refuse`, and the syscall that turns the errno
 * into a SysResult reads it with `refusal` right after. One slot for the whole engine: a
 * syscall runs to its end before the next begins.
 */
let why = '';
export function refuse(e: Errno, detail: string): Errno {
  why = detail;
  return e;
}
export function refusal(): string {
  return why;
}
