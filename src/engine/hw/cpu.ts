/**
 * CPUs: CR3 loads with PCIDs (switch_mm_irqs_off), and TLB flush requests across CPUs
 * (flush_tlb_mm_range, flush_tlb_all) with shootdown IPIs counted per CPU (R26, R27).
 *
 * Linux gives each CPU TLB_NR_DYN_ASIDS = 6 ASID slots; PCID = ASID + 1 (0 is reserved).
 * A CPU that has an mm's translations cached under a slot but is not running it is not sent
 * an IPI: the slot is marked stale (the mm's tlb_gen moved on) and flushed on the next switch.
 */
import type { Machine } from '../machine';
import type { CpuState, Mm } from '../types';
import { C_SHOOTDOWNS, NCTR, setTlbPcid, tlbFlushCpu, tlbFlushHugePage, tlbFlushPage, tlbFlushPcid, tlbPcid } from './tlb';
import { TI } from '../trace';
import { PAGE_SHIFT } from './physmem';

export const TLB_NR_DYN_ASIDS = 6;
/** With PTI, the user PCID is the kernel PCID with this bit set (X86_CR3_PTI_PCID_USER_BIT 11). */
export const PTI_USER_PCID_BIT = 2048;

/**
 * The PCID a CPU's user accesses run under for ASID slot `asid` (R26): kern_pcid = asid + 1,
 * and with PTI user_pcid = kern_pcid | 2048. Every access the explorer simulates is a user
 * access, so this is the tag TLB fills carry.
 */
export function userPcid(m: Machine, asid: number): number {
  return (asid + 1) | (m.s.config.pti ? PTI_USER_PCID_BIT : 0);
}
/**
 * tlb_single_page_flush_ceiling: above this many strides (pages of the flush's page size) a
 * range flush becomes a full mm flush.
 */
export const FLUSH_CEILING_PAGES = 33;
/** The page sizes a flush strides by: physmem's page, and a PMD's 2 MiB. */
export { PAGE_SHIFT } from './physmem';
export const PMD_SHIFT = 21;

/** The PCID `cpu` runs with (asid + 1 with PCID on, else 0): switchMm keeps the TLB's copy in step. */
export function pcidOf(m: Machine, cpu: number): number {
  return tlbPcid(m.s.tlb, cpu);
}

/** The mshare code registers the host mm's mmu_notifier here (hw/ never imports mshare/). */
export const flushHooks: { hostMm: ((m: Machine, mm: Mm, start: number, end: number, strideShift: number, freedTables: boolean) => void) | null } = { hostMm: null };

/** Load `mm` into CR3 on `cpu` for task `pid`. */
export function switchMm(m: Machine, cpu: number, mm: Mm, pid: number): void {
  const c = m.s.cpus[cpu];
  const wasLazy = c.task === 0; // only a lazy CPU skips flushes of the mm it holds
  c.task = pid;
  if (c.mm === mm) {
    // Back from lazy TLB mode: a flush skipped meanwhile is done now (switch_mm_irqs_off
    // compares the mm's tlb_gen with what this CPU has seen). Every access comes through
    // here: the common case, a task already running, checks nothing more.
    if (!wasLazy) return;
    if (c.asid >= 0 && c.asidStale[c.asid]) {
      tlbFlushPcid(m.s.tlb, cpu, c.asid + 1);
      c.asidStale[c.asid] = false;
      c.flushes++;
    } else if (c.lazyStale) {
      tlbFlushCpu(m.s.tlb, cpu, true);
      c.flushes++;
    }
    c.lazyStale = false;
    return;
  }
  c.lazyStale = false; // without PCID the CR3 load below flushes
  c.mm = mm;
  m.s.tlb.cr3[cpu] = mm.pgd;
  c.contextSwitches++;
  let flushed = false;
  const t = m.s.tlb;
  if (!m.s.config.pcid) {
    tlbFlushCpu(t, cpu, true);
    flushed = true;
  } else {
    let slot = c.asidMm.indexOf(mm.id);
    if (slot >= 0) {
      if (c.asidStale[slot]) {
        tlbFlushPcid(t, cpu, slot + 1);
        c.asidStale[slot] = false;
        flushed = true;
      }
    } else {
      // choose_new_asid(): round-robin over the 6 slots; a reused slot is flushed.
      slot = c.nextAsid;
      c.nextAsid = (c.nextAsid + 1) % TLB_NR_DYN_ASIDS;
      c.asidMm[slot] = mm.id;
      c.asidStale[slot] = false;
      tlbFlushPcid(t, cpu, slot + 1);
      flushed = true;
    }
    c.asid = slot;
    setTlbPcid(t, cpu, userPcid(m, slot));
  }
  // The new PCID's entries: none if this switch flushed them, maybe some if it kept them.
  t.clean[cpu] = flushed ? 1 : 0;
  if (m.trace.recording) m.trace.emit({ type: 'context-switch', cpu, pid, mm: mm.id, pcid: pcidOf(m, cpu), flushed });
  else m.trace.countAt(TI['context-switch']);
}

/**
 * Task `pid` left `cpu` for another CPU: the CPU goes idle in lazy TLB mode, its mm still
 * loaded (the idle task keeps it as active_mm; cpu_tlbstate_shared.is_lazy). Flushes of the
 * mm then skip it (should_flush_tlb) and it catches up on its next switch to the mm.
 */
export function leaveCpu(m: Machine, cpu: number, pid: number): void {
  const c = m.s.cpus[cpu];
  if (c.task === pid) c.task = 0;
}

/**
 * Forget a dead mm everywhere (after exit_mmap, whose flush reached the CPUs holding it): a
 * CPU still holding it without that flush (nothing was mapped) lets it go, and every ASID
 * slot caching it becomes free. Nothing is flushed or counted here: a free slot's entries
 * are unreachable, and choose_new_asid() flushes a slot when it hands it to another mm.
 */
export function dropMmFromCpus(m: Machine, mm: Mm): void {
  for (const c of m.s.cpus) {
    if (c.mm === mm) {
      c.mm = null;
      c.task = 0;
      c.asid = -1;
      // lazyStale stays: without PCID, entries a skipped flush left (an mshare slot's
      // unlink) are unreachable until the next CR3 load, which flushes.
      setTlbPcid(m.s.tlb, c.id, 0);
      m.s.tlb.cr3[c.id] = -1;
    }
    const slot = c.asidMm.indexOf(mm.id);
    if (slot >= 0) {
      c.asidMm[slot] = 0;
      c.asidStale[slot] = true; // flushed before reuse
    }
  }
}

function shootdown(m: Machine, to: number, mm: Mm | null): void {
  m.s.tlb.f64[to * NCTR + C_SHOOTDOWNS]++;
  m.s.cpus[to].shootdownsReceived++;
  m.trace.emit({ type: 'tlb-shootdown', from: m.localCpu, to, mm: mm ? mm.id : 0 });
}

/**
 * flush_tlb_mm_range(): every CPU running `mm` flushes [start, end) (IPIs to remote ones);
 * CPUs holding a cached ASID of `mm` are marked stale instead. A CPU in lazy TLB mode (the mm
 * still loaded, no task of it running: its task exited or moved) gets no IPI (should_flush_tlb)
 * and flushes when a task of the mm runs there again, unless `freedTables`: page-table pages
 * were freed, and Linux then IPIs lazy CPUs too (their paging-structure caches may point into
 * them). `strideShift` is the page size of the entries flushed (PAGE_SHIFT, or PMD_SHIFT for
 * 2 MiB leaves): up to FLUSH_CEILING_PAGES strides are flushed one INVLPG each
 * (flush_tlb_func: flush_tlb_one_user per stride), more by flushing the PCID.
 */
export function flushTlbRange(m: Machine, mm: Mm, start: number, end: number, strideShift = PAGE_SHIFT, freedTables = false): void {
  if (mm.hostOf && flushHooks.hostMm) {
    // An mshare host mm is never loaded on a CPU; its mmu_notifier flushes the sharers (M11).
    flushHooks.hostMm(m, mm, start, end, strideShift, freedTables);
    return;
  }
  const stride = 2 ** strideShift;
  const whole = Math.floor((end - start) / stride) > FLUSH_CEILING_PAGES;
  for (const c of m.s.cpus) {
    if (c.mm === mm && c.task === 0) {
      if (freedTables) leaveLazy(m, c, mm);
      else if (c.asid >= 0) c.asidStale[c.asid] = true;
      else c.lazyStale = true;
    } else if (c.mm === mm) {
      if (c.id !== m.localCpu) shootdown(m, c.id, mm);
      if (whole) tlbFlushPcid(m.s.tlb, c.id, pcidOf(m, c.id));
      else flushStrides(m, c.id, start, end, strideShift);
      c.flushes++;
      m.trace.emit({ type: 'tlb-flush', cpu: c.id, scope: whole ? 'mm' : 'page', mm: mm.id });
    } else if (m.s.config.pcid) {
      const slot = c.asidMm.indexOf(mm.id);
      if (slot >= 0) c.asidStale[slot] = true;
    }
  }
}

/**
 * One INVLPG per stride of [start, end) on `cpu`. The TLB splinters a huge leaf into 4 KiB
 * entries, so INVLPG of a 2 MiB (1 GiB) page drops every entry of that page.
 */
function flushStrides(m: Machine, cpu: number, start: number, end: number, strideShift: number): void {
  const t = m.s.tlb;
  const pcid = pcidOf(m, cpu);
  if (strideShift === PAGE_SHIFT) {
    for (let va = start; va < end; va += 4096) tlbFlushPage(t, cpu, va / 4096, pcid);
    return;
  }
  const stride = 2 ** strideShift;
  const pages = stride / 4096;
  for (let va = Math.floor(start / stride) * stride; va < end; va += stride) tlbFlushHugePage(t, cpu, va / 4096, pages, pcid);
}

/**
 * A lazy CPU's answer to the IPI of a flush that freed page tables (flush_tlb_func on a lazy
 * CPU: switch_mm_irqs_off to init_mm): it stops holding `mm`. Its ASID slot keeps `mm` and is
 * flushed before `mm` uses it again; without PCID the CR3 load flushed everything.
 */
function leaveLazy(m: Machine, c: CpuState, mm: Mm): void {
  const t = m.s.tlb;
  if (c.id !== m.localCpu) shootdown(m, c.id, mm);
  if (c.asid >= 0) c.asidStale[c.asid] = true;
  else tlbFlushCpu(t, c.id, true);
  c.mm = null;
  c.asid = -1;
  c.lazyStale = false;
  setTlbPcid(t, c.id, 0);
  t.cr3[c.id] = -1;
  c.flushes++;
  m.trace.emit({ type: 'tlb-flush', cpu: c.id, scope: 'mm', mm: mm.id });
}

/** flush_tlb_all(): every CPU drops everything; every CPU but the local one takes an IPI (M11). */
export function flushTlbAll(m: Machine): void {
  const t = m.s.tlb;
  for (const c of m.s.cpus) {
    if (c.id !== m.localCpu) shootdown(m, c.id, null);
    tlbFlushCpu(t, c.id, false);
    c.flushes++;
    m.trace.emit({ type: 'tlb-flush', cpu: c.id, scope: 'all', mm: 0 });
  }
}
