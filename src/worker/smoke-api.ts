// The contract between the smoke page and src/worker/smoke.worker.ts.

/** Number of 32-bit words in the smoke buffer. */
export const SMOKE_WORDS = 16;

/** The value the worker writes at word `i`. */
export function smokePattern(i: number): number {
  return (0x5ab0_0000 + i) >>> 0;
}

export function hex32(value: number): string {
  return '0x' + (value >>> 0).toString(16).padStart(8, '0');
}

export interface SmokeApi {
  /** Allocates a SharedArrayBuffer of SMOKE_WORDS words filled with smokePattern and returns it
   *  (structured clone shares a SAB: both sides then see the same memory). */
  create(): SharedArrayBuffer;
  /** Reads word `index` of the buffer made by create(), as the worker sees it. */
  read(index: number): number;
}
