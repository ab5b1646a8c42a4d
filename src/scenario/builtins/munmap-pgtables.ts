import type { BuiltinScenario } from './types';

/** R20: munmap zaps PTEs, then free_pgtables frees table pages no VMA still covers. */
export const munmapPgtables: BuiltinScenario = {
  id: 'munmap-pgtables',
  title: 'munmap freeing page tables',
  description: 'munmap() zaps the PTEs and frees the pages, then free_pgtables() frees a PTE, PMD or PUD page only when no VMA still covers any part of its span.',
  source: `## Map and touch 4 MiB
spawn p
p: mmap 0x40000000 4M rw private,anon as big
p: touch big 4M write
note 1024 pages; two PTE pages (2 MiB each), one PMD page (1 GiB), one PUD page (512 GiB).
expect p.RssAnon == 4M
expect p.VmPTE == 16K
expect meminfo.PageTables == 20K

## Unmap the first 2 MiB
p: munmap big 2M
note The first PTE page covers nothing mapped any more: freed. The PMD and PUD pages still cover the rest.
expect p.RssAnon == 2M
expect p.VmPTE == 12K
expect meminfo.AnonPages == 2M

## Unmap a page in the middle of the rest
p: munmap 0x40300000 4K
note One page gone; its PTE page still covers the neighbours, so no table is freed.
expect p.RssAnon == 2044K
expect p.VmPTE == 12K

## Unmap everything
p: munmap 0x40000000 4M
note Nothing left under the PUD: every table page is freed; only the PGD remains (not counted in VmPTE).
expect p.VmRSS == 0
expect p.VmPTE == 0
expect meminfo.PageTables == 4K
expect meminfo.AnonPages == 0
`,
};
