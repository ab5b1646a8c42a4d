import type { BuiltinScenario } from './types';

/** R8, R10: reads of untouched anonymous memory map the shared zero page; a write allocates. */
export const zeroPage: BuiltinScenario = {
  id: 'zero-page',
  title: 'the zero page',
  description: 'Reading anonymous memory that was never written maps the one shared zero page: no memory used, only page tables. A write replaces it with a real page.',
  source: `## Reads map the zero page
spawn a
a: mmap 0x40000000 1M rw private,anon as buf
a: touch buf 1M read
note 256 read faults, 256 PTEs pointing at the same zero page (R8): no RSS, no AnonPages.
expect a.VmRSS == 0
expect a.VmPTE == 12K
expect meminfo.AnonPages == 0
expect same-page a:buf a:buf+512K
a: read buf+4K
expect last == 0

## Every process shares it
spawn b
b: mmap 0x80000000 64K r private,anon as buf
b: read buf
expect same-page a:buf b:buf

## A write replaces it
a: write buf+8K 1
note Write fault on a zero-page PTE: a new zeroed page, the PTE replaced, the TLB entry flushed (R10).
expect a.RssAnon == 4K
expect meminfo.AnonPages == 4K
expect different-page a:buf a:buf+8K
expect same-page a:buf a:buf+12K
`,
};
