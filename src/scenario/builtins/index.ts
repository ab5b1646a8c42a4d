/**
 * The built-in scenarios, in menu order. Plain TS modules holding the script text, so Vite
 * bundles them for the browser and Node imports them for the CLI and the tests alike.
 */
import type { BuiltinScenario } from './types';
import { forkCow } from './fork-cow';
import { zeroPage } from './zero-page';
import { munmapPgtables } from './munmap-pgtables';
import { sharedFileFork } from './shared-file-fork';
import { threads } from './threads';
import { segfault } from './segfault';
import { hugetlbPmdShare } from './hugetlb-pmd-share';
import { databaseNoSharing } from './database-no-sharing';
import { databaseOom } from './database-oom';
import { mshare2024 } from './mshare-basics-2024';
import { mshare2025 } from './mshare-basics-2025';
import { databaseMshare } from './database-mshare';
import { databaseHugetlb } from './database-hugetlb';
import { databaseShmemThp } from './database-shmem-thp';
import { mshareThp } from './mshare-thp';
import { mshareMprotect } from './mshare-mprotect';
import { mshareOwnerExit } from './mshare-owner-exit';
import { mshareCharge } from './mshare-charge';
import { oomMshare } from './oom-mshare';
import { mshareFork } from './mshare-fork';
import { talkPageTables } from './talk-page-tables';
import { talkForkCow } from './talk-fork-cow';
import { talkMshareLink } from './talk-mshare-link';
import { talkOwnerExit } from './talk-owner-exit';
import { talkCharge } from './talk-charge';

export type { BuiltinScenario };

export const BUILTINS: readonly BuiltinScenario[] = [
  forkCow, zeroPage, munmapPgtables, sharedFileFork, threads, segfault, hugetlbPmdShare,
  databaseNoSharing, databaseOom,
  mshare2024, mshare2025, databaseMshare, databaseHugetlb, databaseShmemThp,
  mshareMprotect, mshareOwnerExit, mshareCharge, oomMshare, mshareFork, mshareThp,
  talkPageTables, talkForkCow, talkMshareLink, talkOwnerExit, talkCharge,
];

/**
 * The talk pack: built-ins written for presenter mode (chapters and notes as captions), in
 * talk order, each with the pair of views presenter mode opens for it (ids of
 * src/ui/talk/views.ts: tree, chart, processes, addrspace, physmem, counters).
 */
export const TALK_PACK: readonly { id: string; views: readonly string[] }[] = [
  { id: 'talk-page-tables', views: ['chart', 'tree'] },
  { id: 'talk-fork-cow', views: ['tree', 'counters'] },
  { id: 'talk-mshare-link', views: ['tree', 'processes'] },
  { id: 'talk-owner-exit', views: ['processes', 'tree'] },
  { id: 'talk-charge', views: ['counters', 'processes'] },
];

/**
 * The chapter titles of a script (its `## Title` lines), in order: what the gallery lists
 * under each scenario. A plain scan, so the page need not load the parser for it.
 */
export function chapters(source: string): string[] {
  const out: string[] = [];
  for (const line of source.split('\n')) {
    const m = /^\s*##[ \t]+(.*?)\s*$/.exec(line);
    // A `#` starts a comment, as the parser reads it (a quoted title is the built-ins' to avoid).
    const title = m ? (m[1].includes('"') ? m[1] : m[1].replace(/\s*#.*$/, '')) : '';
    if (title) out.push(title);
  }
  return out;
}

export function findBuiltin(id: string): BuiltinScenario | undefined {
  return BUILTINS.find((b) => b.id === id);
}
