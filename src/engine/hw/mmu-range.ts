/**
 * A run of user accesses, one per page, as `touch` issues them: the same TLB lookups, fills,
 * counters and A/D updates as calling `translate` page by page, without the per-call cost.
 *
 * Like real x86 cores it keeps a paging-structure cache for the walk: the last PTE table
 * reached, with the RW/US/NX accumulated above it, so walks for later pages of the same
 * 2 MiB region start at the PTE level. The cache lives only for one call and is dropped at
 * the first fault (the handler may rewrite tables), so it can never serve a stale entry.
 */
import type { Machine } from '../machine';
import { pcidOf } from './cpu';
import { walk, walkNx } from './mmu';
import { PTE_A, PTE_D, PTE_HI_NX, PTE_HI_PFN_MASK, PTE_P, PTE_PS, PTE_RW, PTE_US } from './pte';
import { TLB_NX, TLB_U, TLB_W, tlbSlot } from './tlb';

/** Error code of the fault that stopped the last `touchRange` (valid when it returned < end). */
export let rangeFaultCode = 0;

/**
 * Access every page from `va` (page aligned) up to `end` on `cpu`. Returns the address of
 * the first page that faulted, or `end` when every access completed.
 */
export function touchRange(m: Machine, cpu: number, va: number, end: number, write: boolean): number {
  const t = m.s.tlb;
  const ctr = t.counters[cpu];
  const pcid = pcidOf(m, cpu);
  const u32 = m.pm.u32;
  const shifts = m.geo.shifts;
  const levels = shifts.length;
  const pgd = m.s.cpus[cpu].mm!.pgd;
  const user = 4 | (write ? 2 : 0);
  let cacheBase = -1; // 2 MiB region whose PTE table is cached
  let cacheTable = 0;
  let cacheRw = 0;
  let cacheUs = 0;
  let cacheNx = 0;
  let cacheHuge = -1; // pfn of a cached 2 MiB leaf for cacheBase, or -1
  const tVpn = t.vpn;
  const tPcid = t.pcid;
  const tPerm = t.perm;
  for (; va < end; va += 4096) {
    const vpn = va / 4096;
    const slot = tlbSlot(t, cpu, vpn, pcid);
    if (tPcid[slot] === pcid && tVpn[slot] === vpn && (!write || tPerm[slot] & TLB_W)) {
      ctr.hits++;
      continue;
    }
    if (write && tPcid[slot] === pcid && tVpn[slot] === vpn) ctr.missesWrite++;
    ctr.misses++;
    ctr.walks++;
    const region = Math.floor(va / 0x200000);
    if (region !== cacheBase) {
      // Walk the upper levels; stop at a huge leaf or a hole and let the full walk decide.
      let table = pgd;
      let rw = PTE_RW;
      let us = PTE_US;
      let nx = 0;
      let d = 0;
      const hiVa = Math.floor(va / 4294967296);
      const loVa = va >>> 0;
      for (; d < levels - 1; d++) {
        const s = shifts[d];
        const idx = s >= 32 ? (hiVa >>> (s - 32)) & 511 : s > 23 ? ((hiVa << (32 - s)) | (loVa >>> s)) & 511 : (loVa >>> s) & 511;
        const ei = table * 1024 + idx * 2;
        const lo = u32[ei];
        if (!(lo & PTE_P) || lo & PTE_PS) break;
        if (!(lo & PTE_A)) u32[ei] = lo | PTE_A;
        const hi = u32[ei + 1];
        rw &= lo;
        us &= lo;
        nx |= hi & PTE_HI_NX;
        table = (lo >>> 12) + (hi & PTE_HI_PFN_MASK) * 0x100000;
      }
      if (d === levels - 2) {
        // A 2 MiB leaf (hugetlb): cache it like the PDE cache does.
        const s = shifts[d];
        const idx = s > 23 ? ((hiVa << (32 - s)) | (loVa >>> s)) & 511 : (loVa >>> s) & 511;
        const ei = table * 1024 + idx * 2;
        const lo = u32[ei];
        if (lo & PTE_P && lo & PTE_PS) {
          const hi = u32[ei + 1];
          if (!(us & lo & PTE_US) || (write && !(rw & lo & PTE_RW))) {
            rangeFaultCode = user | 1;
            return va;
          }
          const want = write ? PTE_A | PTE_D : PTE_A;
          if ((lo & want) !== want) u32[ei] = lo | want;
          cacheBase = region;
          cacheHuge = (lo >>> 12) + (hi & PTE_HI_PFN_MASK) * 0x100000;
          cacheNx = nx | (hi & PTE_HI_NX);
        }
      }
      if (cacheBase === region && cacheHuge >= 0) {
        // Served from the cached huge leaf below.
      } else if (d < levels - 1) {
        // Not a plain 4-level path: use the architectural walk for this page.
        cacheBase = -1;
        const r = walk(m, pgd, va, write, false);
        if (r < 0) {
          rangeFaultCode = -1 - r;
          return va;
        }
        tVpn[slot] = vpn;
        tPcid[slot] = pcid;
        t.pfn[slot] = r;
        tPerm[slot] = (write ? TLB_W : 0) | TLB_U | (walkNx() ? TLB_NX : 0);
        continue;
      } else {
        cacheBase = region;
        cacheHuge = -1;
        cacheTable = table;
        cacheRw = rw;
        cacheUs = us;
        cacheNx = nx;
      }
    }
    if (cacheHuge >= 0) {
      tVpn[slot] = vpn;
      tPcid[slot] = pcid;
      t.pfn[slot] = cacheHuge + ((va >>> 12) & 511);
      tPerm[slot] = (write ? TLB_W : 0) | TLB_U | (cacheNx ? TLB_NX : 0);
      continue;
    }
    const ei = cacheTable * 1024 + ((va >>> 12) & 511) * 2;
    const lo = u32[ei];
    if (!(lo & PTE_P)) {
      rangeFaultCode = user;
      return va;
    }
    const hi = u32[ei + 1];
    const nx = cacheNx | (hi & PTE_HI_NX);
    if (!(cacheUs & lo & PTE_US) || (write && !(cacheRw & lo & PTE_RW))) {
      rangeFaultCode = user | 1;
      return va;
    }
    const want = write ? PTE_A | PTE_D : PTE_A;
    if ((lo & want) !== want) u32[ei] = lo | want;
    tVpn[slot] = vpn;
    tPcid[slot] = pcid;
    t.pfn[slot] = (lo >>> 12) + (hi & PTE_HI_PFN_MASK) * 0x100000;
    tPerm[slot] = (write ? TLB_W : 0) | TLB_U | (nx ? TLB_NX : 0);
  }
  return end;
}
