/**
 * vm_operations for special VMAs, as a registry: VMAs are plain data (they are cloned for
 * checkpoints), so they cannot carry function pointers. The msharefs code registers its
 * operations here at import time, the way msharefs sets vma->vm_ops in Linux; mm/ code calls
 * through this table and never imports mshare/.
 */
import type { Machine } from '../machine';
import type { Inode, Mm, Vma } from '../types';

export interface MshareVmOps {
  /** unmap_page_range vm_op (M13): unlink the process from the shared tables of `vma`. */
  unmap(m: Machine, mm: Mm, vma: Vma): void;
  /** The process-side fault (M5-M10). Returns a FaultResult. */
  fault(m: Machine, mm: Mm, vma: Vma, va: number, write: boolean, pid: number): number;
  /** Inode eviction of an msharefs file: release the host mm (M16). */
  evict(m: Machine, inode: Inode): void;
}

export const vmOps: { mshare: MshareVmOps | null } = { mshare: null };
