/** Number formatting the views share: addresses in hex, sizes like the kernel prints them. */

export function hex(n: number, pad = 0): string {
  return '0x' + Math.floor(n).toString(16).padStart(pad, '0');
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

/** Bytes as /proc prints them: "1234 kB". */
export function kB(bytes: number): string {
  return `${Math.round(bytes / 1024).toLocaleString('en-US')} kB`;
}

export function plural(n: number, one: string, many = one + 's'): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

/** A scenario ADDR for a number: hex. */
export function addrArg(n: number): string {
  return hex(n);
}
