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
import { mshareMprotect } from './mshare-mprotect';
import { mshareOwnerExit } from './mshare-owner-exit';
import { mshareCharge } from './mshare-charge';
import { oomMshare } from './oom-mshare';
import { mshareFork } from './mshare-fork';

export type { BuiltinScenario };

export const BUILTINS: readonly BuiltinScenario[] = [
  forkCow, zeroPage, munmapPgtables, sharedFileFork, threads, segfault, hugetlbPmdShare,
  databaseNoSharing, databaseOom,
  mshare2024, mshare2025, databaseMshare, databaseHugetlb,
  mshareMprotect, mshareOwnerExit, mshareCharge, oomMshare, mshareFork,
];

export function findBuiltin(id: string): BuiltinScenario | undefined {
  return BUILTINS.find((b) => b.id === id);
}
