import type { BuiltinScenario } from './types';

/** R9, R15-R19: fork copies the tables of an anon VMA, write-protects both sides; first writer copies, the other reuses. */
export const forkCow: BuiltinScenario = {
  id: 'fork-cow',
  title: 'fork and copy-on-write',
  description: 'fork() copies the page tables of a written private mapping and write-protects the page in parent and child; the first writer copies it, the other then reuses its page in place.',
  source: `## A private anonymous page
spawn parent
parent: mmap 0x40000000 16K rw private,anon as heap
parent: write heap 42
note The write fault allocated one zeroed page (R9) and three table pages: PUD, PMD, PTE.
expect parent.RssAnon == 4K
expect parent.VmPTE == 12K

## fork copies the page tables
parent: fork as child
note The VMA has an anon_vma, so fork copies its page tables (R15) and write-protects the PTE in both processes (R16).
expect child.VmPTE == 12K
expect child.RssAnon == 4K
expect same-page parent:heap child:heap
expect meminfo.AnonPages == 4K
child: read heap
expect last == 42

## The first write copies
child: write heap 7
note The page is shared (refcount 2, not exclusive to either): the child's write fault copies it into a new frame (R19).
expect different-page parent:heap child:heap
expect meminfo.AnonPages == 8K
child: read heap
expect last == 7
parent: read heap
expect last == 42

## The other side reuses
parent: write heap 43
note The parent now holds the only reference: its write fault makes the PTE writable again, no copy.
expect meminfo.AnonPages == 8K
expect parent.RssAnon == 4K
parent: read heap
expect last == 43
`,
};
