/**
 * mshare regions: the host mm, linking a process's 512 GiB slot entry to the host's PUD
 * page, the process-side fault, unlinking, and the host mm's TLB notifier (M5-M19).
 *
 * Geometry (§2.2): a region is whole 512 GiB slots. In a linked process the slot entry (the
 * PGD entry with 4-level paging, the P4D entry with 5-level) holds the same value as the
 * host's, so the walk continues in the host's PUD page. desc.share of that PUD page is the
 * number of linked processes (pt_share_count); the host never frees it while non-zero (M19).
 *
 * Locking (M5): the caller holds the process's mmap_lock for read; the fault takes the
 * host's mmap_lock for read, nested.
 */
import { PAGE_SHIFT, flushTlbAll, flushTlbRange } from '../hw/cpu';
import { PTE_P, entryPfn } from '../hw/pte';
import type { Machine } from '../machine';
import { FAULT_OK, FAULT_RETRY, FAULT_SIGSEGV, handleMmFault, lastFaultKind } from '../mm/fault';
import { newMm } from '../mm/fork';
import { ensureTable, entryIndex, findTable, pgIndex } from '../mm/pgtable';
import { exitMmap } from '../mm/unmap';
import { findVma } from '../mm/vma';
import { accessError } from '../sys/access';
import { lockMm, unlockMm } from '../sys/locks';
import type { FaultKind } from '../trace';
import type { Inode, Mm, MshareRegion, Vma } from '../types';
import { levelName, tracePteClear, tracePteSet } from '../mm/pte-trace';
import { TI } from '../trace';

/** mshare_align = P4D_SIZE: 512 GiB with 4- and 5-level paging alike (R2). */
export const MSHARE_ALIGN = 2 ** 39;
/** 2025 flavour: the host's mmap_base = mshare_base = mshare_align. */
export const MSHARE_BASE_2025 = MSHARE_ALIGN;

export function createRegion(m: Machine, inode: Inode, owner: number): MshareRegion | null {
  const host = newMm(m);
  if (!host) return null;
  host.users = 0; // owned by no task (mm_alloc for the inode)
  const region: MshareRegion = {
    id: m.s.nextRegionId++,
    path: inode.path,
    inode,
    host,
    start: 0,
    size: 0,
    hostBase: m.s.config.mshare === 2025 ? MSHARE_BASE_2025 : 0,
    owner,
    flavour: m.s.config.mshare,
    initialized: false,
    orphaned: false,
    attached: new Set(),
  };
  host.hostOf = region;
  inode.region = region;
  m.s.regions.set(region.id, region);
  return region;
}

/** u32 index of the slot entry (the entry that points at a PUD page) for `va` in a table tree. */
function slotEntry(m: Machine, pgd: number, va: number): number {
  const depth = m.geo.pudDepth - 1;
  const t = findTable(m, pgd, va, depth);
  return t < 0 ? -1 : entryIndex(t, pgIndex(va, m.geo.shifts[depth]));
}

function emitFault(m: Machine, pid: number, va: number, write: boolean, kind: FaultKind): void {
  if (m.trace.recording) m.trace.emitFault(kind, { type: 'fault', pid, addr: va, write, kind, errorCode: write ? 6 : 4 });
  else m.trace.countFault(kind);
}

/** The process-side fault in an msharefs VMA (M5-M10). Returns a FaultResult. */
export function mshareFault(m: Machine, mm: Mm, vma: Vma, va: number, write: boolean, pid: number): number {
  const region = vma.region!;
  const host = region.host;
  const hostVa = va - vma.start + region.hostBase;
  lockMm(m, host, 'read', pid);
  try {
    const u32 = m.pm.u32;
    const hostEi = slotEntry(m, host.pgd, hostVa);
    const hostLo = hostEi >= 0 ? u32[hostEi] : 0;
    if (hostLo & PTE_P) {
      // M7: make the process's slot entry the host's, under its page_table_lock.
      const slotDepth = m.geo.pudDepth - 1;
      const table = ensureTable(m, mm, va, slotDepth);
      if (table < 0) return 3; // FAULT_OOM
      const ei = entryIndex(table, pgIndex(va, m.geo.shifts[slotDepth]));
      if (u32[ei] !== hostLo || u32[ei + 1] !== u32[hostEi + 1]) {
        if (u32[ei] & PTE_P) {
          // Linked to an older host PUD (cannot happen while a region keeps its PUD page).
          m.pm.d.share[entryPfn(u32[ei], u32[ei + 1])]--;
        }
        u32[ei] = hostLo;
        u32[ei + 1] = u32[hostEi + 1];
        tracePteSet(m, mm, Math.floor(va / MSHARE_ALIGN) * MSHARE_ALIGN, levelName(m, slotDepth), entryPfn(hostLo, u32[hostEi + 1]));
        m.pm.d.share[entryPfn(hostLo, u32[hostEi + 1])]++;
        emitFault(m, pid, va, write, 'mshare-link');
        if (m.trace.recording) m.trace.emit({ type: 'mshare', action: 'link', region: region.path, pid, detail: `slot 0x${(Math.floor(va / MSHARE_ALIGN) * MSHARE_ALIGN).toString(16)}` });
        else m.trace.countAt(TI.mshare);
        return FAULT_RETRY; // VM_FAULT_NOPAGE: nothing allocated, retry the access
      }
    }
    // M8: handle the fault against the host VMA, filling the host's tables. find_shared_vma()
    // first walks the host to the table holding the slot entry (walk_to_p4d: p4d_alloc), before
    // set_active_memcg (M12): with 5-level paging a missing host P4D page is the faulting
    // task's charge, not the owner's. With 4 levels that table is the host PGD: nothing to do.
    if (ensureTable(m, host, hostVa, m.geo.pudDepth - 1) < 0) return 3; // FAULT_OOM
    const hvma = findVma(host, hostVa);
    if (!hvma || accessError(hvma, write, false)) {
      emitFault(m, pid, va, write, 'sigsegv');
      return FAULT_SIGSEGV;
    }
    const saved = m.chargeTo;
    if (m.s.policies.charge === 'owner') {
      // M12: set_active_memcg(the host mm's owner's memcg).
      const owner = m.s.tasks.get(region.owner);
      if (owner) m.chargeTo = owner.cgroup.id;
    }
    const r = handleMmFault(m, host, hvma, hostVa, write);
    m.chargeTo = saved;
    emitFault(m, pid, va, write, r === FAULT_OK ? (lastFaultKind === 'spurious' ? 'spurious' : 'mshare-host') : r === 2 ? 'sigbus' : 'oom');
    return r === FAULT_OK ? FAULT_RETRY : r;
  } finally {
    unlockMm(m, host, pid);
  }
}

/** M13: unmap_page_range vm_op: unlink every slot of `vma` in `mm` and flush it. */
export function unlinkVma(m: Machine, mm: Mm, vma: Vma): void {
  const u32 = m.pm.u32;
  const d = m.pm.d;
  for (let slot = vma.start; slot < vma.end; slot += MSHARE_ALIGN) {
    const ei = slotEntry(m, mm.pgd, slot);
    if (ei < 0 || !(u32[ei] & PTE_P)) continue;
    const pud = entryPfn(u32[ei], u32[ei + 1]);
    if (d.owner[pud] === mm.id) continue; // not a borrowed table
    u32[ei] = 0;
    u32[ei + 1] = 0;
    tracePteClear(m, mm, slot, levelName(m, m.geo.pudDepth - 1));
    d.share[pud]--;
    flushTlbRange(m, mm, slot, slot + MSHARE_ALIGN);
    if (m.trace.recording) m.trace.emit({ type: 'mshare', action: 'unlink', region: vma.region!.path, pid: mm.tasks[0] ?? 0, detail: `slot 0x${slot.toString(16)}` });
    else m.trace.countAt(TI.mshare);
  }
}

/**
 * The host mm's mmu_notifier (M11): a host PTE changed in [start, end) of host VA.
 * tlb_flush=all: flush_tlb_all() as v3 does. tlb_flush=sharers: flush only the attached mms'
 * translated ranges (IPIs go only to CPUs running a sharer).
 */
export function hostTlbNotify(m: Machine, host: Mm, start: number, end: number, strideShift = PAGE_SHIFT, freedTables = false): void {
  const region = host.hostOf!;
  if (m.s.policies.tlbFlush === 'all') {
    flushTlbAll(m);
    return;
  }
  // Every attachment, not every mm: a process that mapped the region twice (at two
  // addresses) caches the page under both, and each range must go.
  for (const v of region.attached) {
    const s = Math.max(v.start, start - region.hostBase + v.start);
    const e = Math.min(v.end, end - region.hostBase + v.start);
    // The host's stride and freed tables carry over: a 2 MiB page is one INVLPG in each sharer.
    if (s < e) flushTlbRange(m, v.mm, s, e, strideShift, freedTables);
  }
}

/** Inode eviction (M16): release the host mm with every VMA, table and page. */
export function destroyRegion(m: Machine, region: MshareRegion): void {
  const host = region.host;
  if (!host.dead) exitMmap(m, host);
  m.s.mms.delete(host.id);
  m.s.regions.delete(region.id);
  region.inode.region = null;
}

/** Distinct mms attached to the region (the "sharers"). */
export function sharerMms(region: MshareRegion): Mm[] {
  return [...new Set([...region.attached].map((v) => v.mm))];
}
