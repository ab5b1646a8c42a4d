import type { BuiltinScenario } from './types';

/** Talk pack: fork copies page tables, not pages (R15, R16); the first writer copies (R19), the last one reuses. */
export const talkForkCow: BuiltinScenario = {
  id: 'talk-fork-cow',
  title: 'Copy-on-write after fork',
  description: 'A parent writes two private pages and forks. The child gets its own page tables pointing at the same frames, read-only; its write copies one page, the other stays shared, and the parent then writes in place.',
  source: `machine ram=64M
## 1. A process writes two private pages
spawn parent
parent: mmap 0x40000000 16K rw private,anon as heap
parent: write heap 42
note The first write fault allocates a zeroed page and the PUD, PMD and PTE pages that map it.
parent: write heap+4K 43
expect parent.RssAnon == 8K
expect parent.VmPTE == 12K

## 2. fork copies the page tables, not the pages
parent: fork as child
note The child gets its own PUD, PMD and PTE pages pointing at the same two frames, read-only on both sides.
expect child.VmPTE == 12K
expect same-page parent:heap child:heap
expect same-page parent:heap+4K child:heap+4K
expect meminfo.AnonPages == 8K

## 3. The child writes: its page is copied
child: write heap 7
note A write to a page mapped twice faults: the child gets a copy. The second page is still shared.
expect different-page parent:heap child:heap
expect same-page parent:heap+4K child:heap+4K
expect meminfo.AnonPages == 12K

## 4. The parent writes: no copy needed
parent: write heap 44
note The parent's page is its only reference now (refcount 1): the fault reuses it and only makes its PTE writable again.
expect meminfo.AnonPages == 12K
parent: read heap
expect last == 44
child: read heap
expect last == 7
`,
};
