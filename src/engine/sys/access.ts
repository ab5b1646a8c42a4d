/**
 * User-mode memory access: the CPU translates through the TLB and page tables; a fault goes
 * to do_user_addr_fault (arch/x86/mm/fault.c), which finds the VMA, checks access_error,
 * and calls handle_mm_fault — or, for an msharefs VMA, the mshare fault path (M5-M10).
 *
 * Contract: `accessPage` runs with the task switched onto its CPU; it returns the frame the
 * access reached, or a negative AccessFailure. It never throws.
 */
import { switchMm } from '../hw/cpu';
import { faultCode, translate } from '../hw/mmu';
import type { Machine } from '../machine';
import type { FaultKind } from '../trace';
import { FAULT_OK, FAULT_OOM, FAULT_RETRY, FAULT_SIGBUS, FAULT_SIGSEGV, handleMmFault, lastFaultKind } from '../mm/fault';
import { cacheIndex } from '../mm/pagecache';
import { findLeaf } from '../mm/pgtable';
import { findVma } from '../mm/vma';
import { vmOps } from '../mm/vmops';
import { VM_EXEC, VM_MSHARE, VM_READ, VM_UFFD_MISSING, VM_WRITE, type Mm, type Task, type Vma } from '../types';
import { PTE_P } from '../hw/pte';
import { lockMm, unlockMm } from './locks';

export const ACCESS_SEGV = -1;
export const ACCESS_BUS = -2;
export const ACCESS_OOM = -3;
export const ACCESS_BLOCKED = -4;

/** access_error(): does the VMA allow this access at all? */
export function accessError(vma: Vma, write: boolean, exec: boolean): boolean {
  if (write) return (vma.flags & VM_WRITE) === 0;
  if (exec) return (vma.flags & VM_EXEC) === 0;
  return (vma.flags & (VM_READ | VM_WRITE | VM_EXEC)) === 0;
}

/**
 * Whether a fault in a MISSING-registered range reports a missing page: nothing is mapped
 * there and, for shmem, tmpfs and hugetlbfs, the file has no page at that offset either
 * (shmem_get_folio_gfp and hugetlb_no_page call handle_userfault only then; a page already
 * in the cache is mapped as usual).
 */
function uffdMissing(m: Machine, mm: Mm, vma: Vma, va: number): boolean {
  const ei = findLeaf(m, mm, va);
  if (ei >= 0 && m.pm.u32[ei] & PTE_P) return false;
  return !vma.file || vma.file.pages[cacheIndex(vma, va)] === undefined;
}

/** do_user_addr_fault. Returns a FaultResult. */
export function userFault(m: Machine, task: Task, va: number, errorCode: number): number {
  const mm = task.mm!;
  const write = (errorCode & 2) !== 0;
  lockMm(m, mm, 'read', task.pid);
  try {
    const vma = findVma(mm, va);
    if (!vma) return traced(m, task, va, write, errorCode, 'sigsegv', FAULT_SIGSEGV);
    if (vma.flags & VM_MSHARE && vmOps.mshare) {
      return vmOps.mshare.fault(m, mm, vma, va, write, task.pid);
    }
    if (accessError(vma, write, (errorCode & 16) !== 0)) return traced(m, task, va, write, errorCode, 'sigsegv', FAULT_SIGSEGV);
    if (vma.flags & VM_UFFD_MISSING && uffdMissing(m, mm, vma, va)) {
      traced(m, task, va, write, errorCode, 'uffd-missing', FAULT_OK);
      return FAULT_BLOCK;
    }
    const r = handleMmFault(m, mm, vma, va, write);
    return traced(m, task, va, write, errorCode, r === FAULT_OOM ? 'oom' : r === FAULT_SIGBUS ? 'sigbus' : lastFaultKind, r);
  } finally {
    unlockMm(m, mm, task.pid);
  }
}

/** A fault result outside handle_mm_fault's: the task must sleep (userfaultfd). */
export const FAULT_BLOCK = 5;

function traced(m: Machine, task: Task, va: number, write: boolean, errorCode: number, kind: FaultKind, r: number): number {
  if (m.trace.recording) m.trace.emitFault(kind, { type: 'fault', pid: task.pid, addr: va, write, kind, errorCode });
  else m.trace.countFault(kind);
  return r;
}

/** The cap on fault-and-retry rounds for one access; a correct kernel needs at most 3. */
export const MAX_FAULT_ROUNDS = 8;

/**
 * One user access to `va` by `task`: translate, fault, retry. Returns the pfn, or an
 * ACCESS_* code. OOM is returned to the caller, which runs the OOM killer and may retry.
 */
export function accessPage(m: Machine, task: Task, va: number, write: boolean): number {
  const cpu = task.cpu;
  m.localCpu = cpu;
  switchMm(m, cpu, task.mm!, task.pid);
  for (let round = 0; round < MAX_FAULT_ROUNDS; round++) {
    const r = translate(m, cpu, va, write);
    if (r >= 0) return r;
    const f = userFault(m, task, va, faultCode(r));
    if (f === FAULT_OK || f === FAULT_RETRY) continue;
    if (f === FAULT_SIGSEGV) return ACCESS_SEGV;
    if (f === FAULT_SIGBUS) return ACCESS_BUS;
    if (f === FAULT_OOM) return ACCESS_OOM;
    if (f === FAULT_BLOCK) return ACCESS_BLOCKED;
  }
  // The handler kept saying "done" while the walk kept failing: a kernel bug. Report it as
  // SIGBUS rather than spin; the invariant checker will say what is inconsistent.
  return ACCESS_BUS;
}

