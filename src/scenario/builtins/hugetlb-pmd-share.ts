import type { BuiltinScenario } from './types';

/** H1-H8: a shared MAP_HUGETLB mapping covering whole 1 GiB units shares its PMD pages. */
export const hugetlbPmdShare: BuiltinScenario = {
  id: 'hugetlb-pmd-share',
  title: 'hugetlb PMD sharing',
  description: 'The page-table sharing mainline Linux ships: two processes mapping the same hugetlb memory MAP_SHARED over a whole 1 GiB-aligned unit point their PUD entries at one PMD page. Each VmPTE counts it; PageTables counts it once (H8).',
  source: `## One process maps hugetlb memory
spawn a
a: mmap 0x40000000 1G rw shared,anon,hugetlb,noreserve as sga   # noreserve: no 1 GiB reservation at mmap, pages as touched
a: touch sga 64M write
note 32 huge pages of 2 MiB: PMD entries are the leaves, no PTE pages. One PUD and one PMD page.
expect a.VmPTE == 8K
expect a.HugetlbPages == 64M
expect meminfo.PageTables == 12K

## A second process shares the PMD page
a: fork as b
b: touch sga 64M read
note huge_pmd_share(): b's PUD entry points at a's PMD page (H4); b owns only its PUD page.
expect b.VmPTE == 8K
expect same-page a:sga b:sga
expect same-page a:sga+62M b:sga+62M
note Each VmPTE includes the shared PMD page (8K each), but PageTables counts it once: 2 PGD + 2 PUD + 1 PMD.
expect meminfo.PageTables == 20K
`,
};
